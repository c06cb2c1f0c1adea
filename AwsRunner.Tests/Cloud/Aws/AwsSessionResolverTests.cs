using Amazon.Runtime.CredentialManagement;
using AwsRunner.Core;
using AwsRunner.Core.Cloud.Aws;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

[TestFixture]
public sealed class AwsSessionResolverTests
{
    private string folder = "";
    private CredentialProfileStoreChain profiles = null!;

    [SetUp]
    public void CreateProfiles()
    {
        folder = Directory.CreateTempSubdirectory("awsrunner-profiles-").FullName;
        var credentials = Path.Combine(folder, "credentials");
        File.WriteAllText(credentials, """
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = default-secret
            region = eu-central-1

            [work]
            aws_access_key_id = AKIAWORK
            aws_secret_access_key = work-secret
            region = ap-south-1

            [noregion]
            aws_access_key_id = AKIANOREGION
            aws_secret_access_key = noregion-secret
            """);
        profiles = new CredentialProfileStoreChain(credentials);
    }

    [TearDown]
    public void RemoveProfiles() => Directory.Delete(folder, recursive: true);

    [Test]
    public void Region_Option_WinsOverEverything() =>
        Assert.That(Resolver(("AWS_REGION", "us-west-2")).ResolveRegion(new AwsCloudOptions { Region = "sa-east-1", Profile = "work" }), Is.EqualTo("sa-east-1"));

    [Test]
    public void Region_FromTheGivenProfile_BeforeTheEnvironment() =>
        Assert.That(Resolver(("AWS_REGION", "us-west-2")).ResolveRegion(new AwsCloudOptions { Profile = "work" }), Is.EqualTo("ap-south-1"));

    [Test]
    public void Region_FromAwsRegion_ThenAwsDefaultRegion()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Resolver(("AWS_REGION", "us-west-2"), ("AWS_DEFAULT_REGION", "us-east-2")).ResolveRegion(new AwsCloudOptions()), Is.EqualTo("us-west-2"));
            Assert.That(Resolver(("AWS_DEFAULT_REGION", "us-east-2")).ResolveRegion(new AwsCloudOptions { Profile = "noregion" }), Is.EqualTo("us-east-2"));
        });
    }

    [Test]
    public void Region_FromTheDefaultProfile_Last() =>
        Assert.That(Resolver().ResolveRegion(new AwsCloudOptions()), Is.EqualTo("eu-central-1"));

    [Test]
    public void Region_Nowhere_IsAClearError()
    {
        var error = Assert.Throws<InvalidInputException>(() => Resolver().ResolveRegion(new AwsCloudOptions { Profile = "noregion" }));

        Assert.That(error!.Message, Does.Contain("AwsCloudOptions.Region").And.Contain("AWS_REGION"));
    }

    [Test]
    public void Region_Malformed_IsInvalidInput() =>
        Assert.Throws<InvalidInputException>(() => Resolver().ResolveRegion(new AwsCloudOptions { Region = "Ireland" }));

    [Test]
    public void Credentials_FromTheGivenProfile()
    {
        var credentials = Resolver().ResolveCredentials("work").GetCredentials();

        Assert.That(credentials.AccessKey, Is.EqualTo("AKIAWORK"));
    }

    [Test]
    public void Credentials_UnknownProfile_IsBadInputSayingHowToListProfiles()
    {
        var error = Assert.Throws<InvalidInputException>(() => Resolver().ResolveCredentials("nosuch"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("NoCredentials"));
            Assert.That(error.Message, Is.EqualTo("AwsCloudOptions.Profile nosuch: no such profile with credentials in the shared config and credentials files (list them with: aws configure list-profiles)"));
        });
    }

    [Test]
    public void Session_WithoutEndpoint_CallsTheRegionsEc2AndS3Endpoints()
    {
        var session = Resolver().Resolve(new AwsCloudOptions { Region = "eu-west-1", Profile = "work" });
        using var ec2 = SdkClients.Ec2(session);
        using var s3 = SdkClients.S3(session);

        Assert.Multiple(() =>
        {
            Assert.That(ec2.DetermineServiceOperationEndpoint(new Amazon.EC2.Model.DescribeInstancesRequest()).URL, Is.EqualTo("https://ec2.eu-west-1.amazonaws.com/"));
            Assert.That(s3.DetermineServiceOperationEndpoint(new Amazon.S3.Model.ListObjectsV2Request { BucketName = "sweep1" }).URL,
                Is.EqualTo("https://sweep1.s3.eu-west-1.amazonaws.com/"));
            Assert.That(session.EndpointUrl, Is.Null);
            Assert.That(session.Partition, Is.EqualTo("aws"));
        });
    }

    [Test]
    public void Session_EndpointNotAUrl_IsInvalidInput() =>
        Assert.Throws<InvalidInputException>(() => Resolver().Resolve(new AwsCloudOptions { Region = "eu-west-1", Profile = "work", EndpointUrl = "localhost:5000" }));

    private AwsSessionResolver Resolver(params (string Name, string Value)[] environment) =>
        new(name => environment.FirstOrDefault(e => e.Name == name).Value, profiles);
}
