namespace AwsRunner.Sim.Ec2;

/// <summary>What an account's limits and spot interruptions need to know of a region's instances.</summary>
internal interface IAccountInstances
{
    /// <summary>The pending and running instances: all of them, or those of <paramref name="instanceIds"/> that are.</summary>
    Task<IReadOnlyList<LiveInstance>> LiveAsync(IReadOnlyCollection<string>? instanceIds, CancellationToken cancellationToken);

    /// <summary>How many vCPUs an instance of the type has.</summary>
    Task<int> VcpusAsync(string instanceType, CancellationToken cancellationToken);
}
