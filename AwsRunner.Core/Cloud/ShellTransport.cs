namespace AwsRunner.Core.Cloud;

/// <summary>
/// How a batch's node shells reach its nodes, as the shells themselves describe it: saved with the batch, so that a
/// later command reopens the same transport with the same settings. The orchestration stores it without reading it.
/// </summary>
/// <param name="Kind">The transport, such as <c>ssh.net</c>, <c>openssh</c> or <c>local</c>.</param>
/// <param name="Settings">What the transport needs to be opened again (login name, ssh_config file, proxy), by name.</param>
internal sealed record ShellTransport(string Kind, IReadOnlyDictionary<string, string> Settings);
