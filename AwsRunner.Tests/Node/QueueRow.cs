namespace AwsRunner.Tests.Node;

/// <summary>A row of a test queue, as the shard writer would put it in a shard: its command, variables and attempts.</summary>
/// <param name="Index">The row's index (its folder is <c>0003/</c> for 3).</param>
/// <param name="Command">The command, the job file's cell.</param>
internal sealed record QueueRow(int Index, string Command)
{
    /// <summary>The row's variables, NAME=VALUE in its shard file.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Variables { get; init; } = [];

    /// <summary>The attempts the row may have in this run, the lowest first: each with its URLs in the row's file.</summary>
    public IReadOnlyList<int> Attempts { get; init; } = [1];

    /// <summary>Where every attempt's status.json, job.log and results go instead of their own folder (it is not created).</summary>
    public string? Objects { get; init; }
}
