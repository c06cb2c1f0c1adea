namespace AwsRunner.Core.Jobs;

/// <summary>One job: one row of the job file, run on one node.</summary>
public sealed class JobRow
{
    /// <summary>The job's number, from 0, in file order; names its folder (<c>0007</c>).</summary>
    public required int Index { get; init; }

    /// <summary>The line of the job file the row starts on, for messages.</summary>
    public required int Line { get; init; }

    /// <summary>The EC2 instance type, such as <c>c5.large</c>.</summary>
    public required string InstanceType { get; init; }

    /// <summary>The command, run as written by <c>bash -c</c> in the code folder.</summary>
    public required string Command { get; init; }

    /// <summary>The row's extra columns, exported to the job's environment, in header order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Variables { get; init; } = [];

    /// <summary>The job's folder name: its index zero-padded to four digits.</summary>
    public string Folder => JobIndex.Format(Index);
}
