using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Cloud.Aws;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli.Commands;

/// <summary><c>status</c> without NAME and without a region: it looks where this machine's batches are.</summary>
public sealed class StatusCommandTests
{
    [Test]
    public async Task Status_WithoutNameOrRegion_ListsTheBatchesOfEveryRegionTheRecordsName_AndSaysWhichItLookedIn()
    {
        var moto = await MotoServer.RequireAsync();
        await moto.ResetAsync();
        using var folder = new TempFolder();
        var cli = NoRegionAnywhere(new AwsRunnerCli(folder.Combine("home"), folder.Path), folder);
        foreach (var (name, region) in new[] { ("east1", "us-east-1"), ("west1", "eu-west-1") })
        {
            BatchRecords.Save(cli.Home, new BatchRecord(name, "aws", name, region, moto.Url.ToString()));
            using var ec2 = SdkClients.Ec2(new AwsSession(region, new BasicAWSCredentials("testing", "testing"), moto.Url));
            await ec2.RunInstancesAsync(new RunInstancesRequest
            {
                ImageId = AwsTestBed.Image,
                InstanceType = InstanceType.T3Micro,
                MinCount = 1,
                MaxCount = 1,
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag(AwsTags.Batch, name)] }],
            });
        }

        // A result of west1's, in a bucket every region's client can see (moto's buckets are global, as their names are).
        using (var s3 = SdkClients.S3(new AwsSession("us-east-1", new BasicAWSCredentials("testing", "testing"), moto.Url)))
        {
            await s3.PutBucketAsync("west1");
            await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "west1", Key = "west1/jobs/0000/status.json", ContentBody = "{\"exit_code\":0}" });
        }

        var run = await cli.RunAsync("status");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.Zero, run.ToString());
            Assert.That(run.Output, Does.Match(@"NAME\s+CLOUD\s+REGION\s+LIVE NODES"));
            Assert.That(run.Output, Does.Match(@"east1\s+aws\s+us-east-1\s+1\s"));
            Assert.That(run.Output, Does.Match(@"west1\s+aws\s+eu-west-1\s+1\s+\S+\s+1/\?"));
            Assert.That(run.Output.Split('\n').Count(l => l.StartsWith("west1", StringComparison.Ordinal)), Is.EqualTo(1), "listed in its own region only");
            Assert.That(run.Output, Does.Contain("Looked in eu-west-1, us-east-1, the regions of this machine's batches (--region for another)."));
        });
    }

    [Test]
    public async Task Status_WithoutNameRegionOrRecords_AsksForARegion()
    {
        using var folder = new TempFolder();
        var cli = NoRegionAnywhere(new AwsRunnerCli(folder.Combine("home"), folder.Path), folder);

        var run = await cli.RunAsync("status");

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.StartWith("awsrunner: no AWS region given: pass --region"));
    }

    private static AwsRunnerCli NoRegionAnywhere(AwsRunnerCli cli, TempFolder folder)
    {
        cli.Environment["AWS_ACCESS_KEY_ID"] = "testing";
        cli.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        cli.Environment["AWS_REGION"] = null;
        cli.Environment["AWS_DEFAULT_REGION"] = null;
        cli.Environment["AWS_PROFILE"] = null;
        cli.Environment["AWS_CONFIG_FILE"] = folder.Combine("no-config");
        cli.Environment["AWS_SHARED_CREDENTIALS_FILE"] = folder.Combine("no-credentials");
        return cli;
    }
}
