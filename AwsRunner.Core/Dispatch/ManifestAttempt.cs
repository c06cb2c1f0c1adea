namespace AwsRunner.Core.Dispatch;

/// <summary>An earlier attempt of a row as the manifest keeps it, its state as the state's word.</summary>
internal sealed record ManifestAttempt(int Attempt, string State, int? ExitCode = null, string? InstanceId = null, bool Spot = false)
{
    public JobAttempt ToJobAttempt() => new(Attempt, Enum.GetValues<JobState>().First(s => s.ToName() == State), ExitCode, InstanceId, Spot);
}
