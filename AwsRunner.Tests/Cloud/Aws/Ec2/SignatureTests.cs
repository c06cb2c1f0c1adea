using Amazon.Runtime;
using AwsRunner.Core;
using AwsRunner.Tests.Support;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws.Ec2;

/// <summary>
/// Against a moto that authenticates (it checks every signature and the caller's IAM policy once its first few
/// actions are done), as AWS does: proof that the SDK clients are given the right credentials and region, and that
/// the refusals read well.
/// </summary>
[TestFixture]
// They share one moto_server, reset between tests.
[NonParallelizable]
public sealed class SignatureTests
{
    private MotoServer moto = null!;
    private BasicAWSCredentials user = null!;

    [OneTimeSetUp]
    public async Task StartAuthenticatingMotoWithAUserWhoMayOnlyDescribe()
    {
        // Exactly the three IAM calls below go unauthenticated; every call after them is checked.
        moto = await MotoServer.RequireOwnAsync(("INITIAL_NO_AUTH_ACTION_COUNT", "3"));
        await MotoIam.CallAsync(moto.Url, "create_user", new { UserName = "ana" });
        var key = (await MotoIam.CallAsync(moto.Url, "create_access_key", new { UserName = "ana" })).GetProperty("AccessKey");
        await MotoIam.CallAsync(moto.Url, "put_user_policy", new
        {
            UserName = "ana",
            PolicyName = "describe-only",
            PolicyDocument = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}""",
        });
        user = new BasicAWSCredentials(key.GetProperty("AccessKeyId").GetString(), key.GetProperty("SecretAccessKey").GetString());
    }

    [OneTimeTearDown]
    public async Task StopMoto() => await moto.DisposeAsync();

    [Test]
    public async Task SignedRequest_IsAcceptedByAServerThatChecksSignatures()
    {
        await using var bed = AwsTestBed.OnServer(moto, user);

        var nodes = await bed.Cloud.DescribeAsync("sweep1", CancellationToken.None);

        Assert.That(nodes, Is.Empty);
    }

    [Test]
    public async Task WrongSecret_IsAuthFailureWithAHint()
    {
        await using var bed = AwsTestBed.OnServer(moto, new BasicAWSCredentials(user.GetCredentials().AccessKey, "not-the-secret"));

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Cloud.DescribeAsync("sweep1", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("AuthFailure"));
            Assert.That(error.Hint, Does.Contain("refused the credentials"));
        });
    }

    [Test]
    public async Task ActionThePolicyDoesNotAllow_IsRefusedNamingTheActionToAdd()
    {
        await using var bed = AwsTestBed.OnServer(moto, user);

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.StartWith("Error attempting to prepare the key pair and security group of batch sweep1:"));
            Assert.That(error.Hint, Does.Contain("may not call ec2:CreateKeyPair"));
        });
    }
}
