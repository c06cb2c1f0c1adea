using System.Text;

namespace AwsRunner.Core.Node;

/// <summary>Writes the files the node runner sources (<c>node.env</c>, <c>job.env</c>): one quoted assignment per line.</summary>
internal sealed class NodeEnvFile
{
    private readonly StringBuilder text = new("# written by awsrunner; sourced by the node runner\n");

    /// <summary>A variable the runner reads but the job does not see.</summary>
    public NodeEnvFile Set(string name, string value)
    {
        text.Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
        return this;
    }

    /// <summary>A variable exported to the job's environment.</summary>
    public NodeEnvFile Export(string name, string value)
    {
        text.Append("export ");
        return Set(name, value);
    }

    public override string ToString() => text.ToString();
}
