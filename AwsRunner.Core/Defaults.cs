namespace AwsRunner.Core;

/// <summary>
/// Every default awsrunner has, declared once: the options records take them as their initial values, and the
/// command line's help text quotes them from here.
/// </summary>
public static class Defaults
{
    /// <summary>How many nodes are worked on at once during create and dispatch.</summary>
    public const int Parallel = 32;

    /// <summary>The dead man's switch, in hours: every node powers itself off this long after it was launched.</summary>
    public const double MaxHours = 24;

    /// <summary>The largest code folder uploaded, in bytes (1 GiB).</summary>
    public const long MaxUploadBytes = 1L << 30;

    /// <summary>
    /// The size of each part a job's results archive is uploaded in when it is larger than that (5 GiB, the most S3
    /// takes in one PUT; the local cloud keeps it too): the archive goes up as one object up to this size, as several
    /// objects of this size beyond.
    /// </summary>
    public const long ResultPartSize = 5L << 30;

    /// <summary>The smallest part size: S3's smallest multipart part (5 MiB), so that the parts could be joined in S3 as well.</summary>
    public const long MinResultPartSize = 5L << 20;

    /// <summary>
    /// How many result parts a node can upload, all the rows it runs together: each node gets this many part URLs of its
    /// own (<c>NAME/parts/NODE/00001</c>, ...), 1 TiB at the default part size. A presigned URL is about 1.2 KB with a
    /// session token and a few microseconds to sign, so these add some 240 KB to each node's <c>queue.env</c>.
    /// </summary>
    public const int ResultParts = 200;

    /// <summary>The path, relative to the code folder, that makes up a job's results.</summary>
    public const string ResultPath = "output";

    /// <summary>The login name on the nodes: the user of Ubuntu's images.</summary>
    public const string SshUser = "ubuntu";

    /// <summary>How many SSH connections may be in their opening handshake at once, whatever the number of nodes.</summary>
    public const int SshMaxConnecting = 16;

    /// <summary>
    /// How many SSH connections stay open at once; past this the least recently used idle one is closed. Each open
    /// SSH.NET connection holds a thread and about a third of a MiB (100 open to one sshd here: 100 threads, 33 MiB).
    /// </summary>
    public const int SshMaxOpenConnections = 2 * Parallel;

    /// <summary>
    /// How many times <c>--wait</c> runs a row again, on a fresh node, after its spot instance was taken back or its
    /// node was lost; 0 runs every row once.
    /// </summary>
    public const int MaxRetries = 2;

    /// <summary>After this many of a row's spot instances were taken back, its next attempt runs on demand.</summary>
    public const int SpotFallbackAfter = 2;

    /// <summary>How often a running node reports that it is alive.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMinutes(1);

    /// <summary>How long a new node may take, from its launch, to be running and to answer SSH.</summary>
    public static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(10);

    /// <summary>How long one SSH connection attempt may take.</summary>
    public static readonly TimeSpan SshConnectTimeout = TimeSpan.FromSeconds(10);
}
