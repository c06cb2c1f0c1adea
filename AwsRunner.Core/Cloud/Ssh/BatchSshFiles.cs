namespace AwsRunner.Core.Cloud.Ssh;

/// <summary>The files of a batch that both SSH transports use: its private key and its known_hosts, in the batch's folder.</summary>
internal sealed class BatchSshFiles(string home)
{
    public string Home => home;

    public string KeyFile(NodeInstance node) => AwsRunnerHome.KeyFile(home, node.Batch);

    public string KnownHostsFile(NodeInstance node) => AwsRunnerHome.KnownHostsFile(home, node.Batch);

    /// <summary>Creates the batch's folder, without which no host key could be recorded.</summary>
    public void CreateBatchFolder(NodeInstance node) => Directory.CreateDirectory(AwsRunnerHome.BatchFolder(home, node.Batch));
}
