namespace AwsRunner.Sim.Requests;

/// <summary>What the fleet can be asked to do to one of its instances while it runs.</summary>
internal enum NodeCommand
{
    /// <summary>Serve a spot interruption notice, and terminate the instance after the notice period.</summary>
    Interrupt,

    /// <summary>Reboot the node: its processes end, its disk stays, it boots again.</summary>
    Reboot,
}
