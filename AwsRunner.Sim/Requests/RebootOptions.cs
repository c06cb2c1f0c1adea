using CommandLine;

namespace AwsRunner.Sim.Requests;

[Verb("reboot", HelpText = "Reboot a node of a running fleet: its processes end (sshd too), its folder stays, and it boots again (boothooks run, sshd comes back).")]
internal sealed class RebootOptions : NodeCommandOptions
{
    public override NodeCommand Command => NodeCommand.Reboot;
}
