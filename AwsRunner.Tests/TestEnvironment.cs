// The tests read /proc, run bash scripts and start sshd, as the simulated fleet they share code with does.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace AwsRunner.Tests;

/// <summary>
/// Before any test: the AWS SDK must never look for credentials at the instance metadata address (169.254.169.254);
/// these tests talk to nothing but 127.0.0.1. Processes the tests start inherit the setting. After every test: the
/// reliability figures the run measured.
/// </summary>
[SetUpFixture]
public sealed class TestEnvironment
{
    [OneTimeSetUp]
    public void KeepEverythingOnLoopback() => Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");

    [OneTimeTearDown]
    public void WriteReliabilityFigures() => Support.ReliabilityLedger.Write();
}
