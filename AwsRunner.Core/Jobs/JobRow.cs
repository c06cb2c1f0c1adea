namespace AwsRunner.Core.Jobs;

/// <summary>One job: one row of the job file, run on one node.</summary>
/// <param name="Index">The job's number, from 0, in file order; names its folder (<c>0007</c>).</param>
/// <param name="Line">The line of the job file the row starts on, for messages.</param>
/// <param name="InstanceType">The EC2 instance type, such as <c>c5.large</c>.</param>
/// <param name="Command">The command, run as written by <c>bash -c</c> in the code folder.</param>
/// <param name="Variables">The row's extra columns, exported to the job's environment, in header order.</param>
public sealed record JobRow(
    int Index,
    int Line,
    string InstanceType,
    string Command,
    IReadOnlyList<KeyValuePair<string, string>> Variables)
{
    /// <summary>The job's folder name: its index zero-padded to four digits.</summary>
    public string Folder => JobIndex.Format(Index);
}
