namespace AwsRunner.Sim.Nodes;

/// <summary>What a node's shutdown asks the fleet for (the words of its power request).</summary>
internal enum PowerAction
{
    /// <summary>Power off: the node goes down and its instance is terminated.</summary>
    PowerOff,

    /// <summary>Reboot: the node's processes end, its disk stays, it boots again.</summary>
    Reboot,
}
