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

        // And a batch of the local cloud, listed with them.
        folder.Write("project/jobs.csv", "instance_type,command\nt3.micro,true\n");
        var local = await cli.RunAsync("dispatch", "local", "here1", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");
        Assert.That(local.ExitCode, Is.Zero, local.ToString());

        var run = await cli.RunAsync("status");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.Zero, run.ToString());
            Assert.That(run.Output, Does.Match(@"NAME\s+CLOUD\s+REGION\s+LIVE NODES"));
            Assert.That(run.Output, Does.Match(@"here1\s+local\s+-\s+0\s+\S+\s+1/1"));
            Assert.That(run.Output, Does.Match(@"east1\s+aws\s+us-east-1\s+1\s"));
            Assert.That(run.Output, Does.Match(@"west1\s+aws\s+eu-west-1\s+1\s+\S+\s+1/\?"));
            Assert.That(run.Output.Split('\n').Count(l => l.StartsWith("west1", StringComparison.Ordinal)), Is.EqualTo(1), "listed in its own region only");
            Assert.That(run.Output, Does.Contain("Looked on the local cloud and in eu-west-1, us-east-1, the regions of this machine's AWS batches (--region for another)."));
        });
    }

    [Test]
    public async Task Status_WithoutNameRegionOrRecords_AsksNoRegionAndSaysHowToLookOnAws()
    {
        using var folder = new TempFolder();
        var cli = NoRegionAnywhere(new AwsRunnerCli(folder.Combine("home"), folder.Path), folder);

        var run = await cli.RunAsync("status");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output, Is.EqualTo(
            "No batch has nodes or results on the local cloud.\n" +
            "Looked on the local cloud; this machine has no AWS batch (--region REGION looks on AWS).\n"));
    }

    [Test]
    public async Task StatusAndFetch_OfALocalBatchWithNoRegionAnywhere_FindItFromItsRecord()
    {
        using var folder = new TempFolder();
        var cli = NoRegionAnywhere(new AwsRunnerCli(folder.Combine("home"), folder.Path), folder);
        folder.Write("project/jobs.csv", "instance_type,command\nt3.micro,\"mkdir -p output; echo 42 > output/answer.txt\"\n");
        var dispatched = await cli.RunAsync("dispatch", "local", "norgn", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");
        Assert.That(dispatched.ExitCode, Is.Zero, dispatched.ToString());

        var list = await cli.RunAsync("status");
        var one = await cli.RunAsync("status", "norgn");
        var fetched = await cli.RunAsync("fetch", "norgn", "out");
        var unknown = await cli.RunAsync("status", "nosuch");

        Assert.Multiple(() =>
        {
            Assert.That(list.ExitCode, Is.Zero, list.ToString());
            Assert.That(list.Output, Does.Match(@"norgn\s+local\s+0\s+\S+\s+1/1"));
            Assert.That(one.ExitCode, Is.Zero, one.ToString());
            Assert.That(one.Output, Does.StartWith("Batch norgn (local cloud, bucket norgn): done 1"));
            Assert.That(fetched.ExitCode, Is.Zero, fetched.ToString());
            Assert.That(File.ReadAllText(folder.Combine("out", "0000", "output", "answer.txt")), Is.EqualTo("42\n"));
            Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
            Assert.That(unknown.Error.Trim(), Is.EqualTo(
                "awsrunner: no batch \"nosuch\" on this machine (it has norgn); for a batch dispatched from another machine, give its --region"));
        });
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
