namespace AwsRunner.Bench.Measurements;

/// <summary>One way of doing the fan-out with pssh: how the code gets there (see Scripts/pssh-fan-out.sh) and how many hosts at once.</summary>
internal sealed record PsshVariant(string Method, int Parallel)
{
    public string Description => Method switch
    {
        "tar" => $"tar.gz by parallel-scp, then parallel-ssh, -p {Parallel}",
        "scp-r" => $"parallel-scp -r, then parallel-ssh, -p {Parallel}",
        "stdin" => $"tar.gz into parallel-ssh -I, -p {Parallel}",
        _ => throw new InvalidOperationException($"unknown method {Method}"),
    };
}
