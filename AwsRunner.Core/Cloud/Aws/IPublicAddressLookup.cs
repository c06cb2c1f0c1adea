using System.Net;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>Finds this machine's public address, as the internet sees it.</summary>
internal interface IPublicAddressLookup
{
    /// <summary>The address, or null when it cannot be found out.</summary>
    Task<IPAddress?> FindAsync(CancellationToken cancellationToken);
}
