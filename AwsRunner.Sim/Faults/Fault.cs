namespace AwsRunner.Sim.Faults;

/// <summary>What the proxy answers instead of forwarding a request; the request never reaches moto.</summary>
internal enum Fault
{
    /// <summary>HTTP 503 with EC2's error XML, code RequestLimitExceeded: EC2's throttling.</summary>
    RequestLimitExceeded,

    /// <summary>HTTP 503 with a plain-text body, as a load balancer in front of an API answers.</summary>
    ServiceUnavailable,

    /// <summary>HTTP 503 with S3's error XML, code SlowDown: S3's throttling.</summary>
    SlowDown,

    /// <summary>No answer at all: the connection is cut, as when the caller died waiting.</summary>
    Drop,
}
