using AwsRunner.Core.Jobs;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.PublicApi;

public sealed class PublicApiTests
{
    /// <summary>
    /// The library's public surface is a promise to its users: a change here must be deliberate. When this fails, read
    /// the received file beside the approved one; if the change is meant, make it the approved file.
    /// </summary>
    [Test]
    public void CorePublicApi_IsTheApprovedOne()
    {
        var approved = Repository.File("AwsRunner.Tests", "PublicApi", "AwsRunner.Core.approved.txt");
        var received = Path.ChangeExtension(approved, null).Replace(".approved", ".received", StringComparison.Ordinal) + ".txt";
        var listing = PublicApiListing.For(typeof(BatchName).Assembly);

        var expected = File.Exists(approved) ? File.ReadAllText(approved) : "";
        if (listing == expected)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, listing);
        var added = listing.Split('\n').Except(expected.Split('\n')).Where(l => l.Length > 0).Take(15);
        var removed = expected.Split('\n').Except(listing.Split('\n')).Where(l => l.Length > 0).Take(15);
        Assert.Fail($"the public API of AwsRunner.Core changed; see {received}\n+ {string.Join("\n+ ", added)}\n- {string.Join("\n- ", removed)}");
    }
}
