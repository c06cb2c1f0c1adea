using CommandLine;

namespace AwsRunner.Sim.Requests;

[Verb("interrupt", HelpText = "Interrupt a spot instance of a running fleet: its metadata serves EC2's notice at once, and it is terminated two minutes (as --minute scales them) later.")]
internal sealed class InterruptOptions : NodeCommandOptions
{
    public override NodeCommand Command => NodeCommand.Interrupt;
}
