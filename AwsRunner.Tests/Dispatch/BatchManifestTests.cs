using System.Text;
using System.Text.Json.Nodes;
using AwsRunner.Core;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Tests.Dispatch;

public sealed class BatchManifestTests
{
    private const string Jobs = "instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\nc5.large,python run.py,2,0.2\n";
    private const string Source = "s3://sweep/sweep/manifest.json";

    [Test]
    public void FromBytes_AsWritten_ReadsBackTheSame()
    {
        var manifest = Manifest();

        var read = BatchManifest.FromBytes(manifest.ToBytes(), "sweep", "sweep", Source);

        Assert.That(read.Rows.Select(r => (r.Index, r.InstanceType, r.Variables["seed"])), Is.EqualTo(new[] { (0, "c5.large", "1"), (1, "c5.large", "2") }));
    }

    [TestCase("rows/1/variables", "PATH", "/tmp/evil", "row 1: variable \"PATH\": PATH belongs to the node's shell", TestName = "FromBytes_VariableTheShellOwns_IsRefused")]
    [TestCase("rows/0/variables", "my-var", "1", "row 0: variable \"my-var\": not a valid shell variable name", TestName = "FromBytes_VariableNotAShellIdentifier_IsRefused")]
    [TestCase("rows/0/variables", "AWSRUNNER_INDEX", "7", "row 0: variable \"AWSRUNNER_INDEX\": names starting with AWSRUNNER_ are reserved for awsrunner", TestName = "FromBytes_ReservedVariable_IsRefused")]
    [TestCase("rows/1", "index", 5, "row 1: index 5 where 1 belongs (rows are in job order)", TestName = "FromBytes_IndexOutOfPlace_IsRefused")]
    [TestCase("rows/0", "instance_type", "c5.large; rm -rf /", "row 0: instance type \"c5.large; rm -rf /\" is not of the form family.size", TestName = "FromBytes_BadInstanceType_IsRefused")]
    [TestCase("rows/0", "command", " ", "row 0: empty command", TestName = "FromBytes_BlankCommand_IsRefused")]
    [TestCase("", "name", "other", "it is the manifest of batch \"other\", not of \"sweep\"", TestName = "FromBytes_AnotherBatchsManifest_IsRefused")]
    [TestCase("", "heartbeat_seconds", 0, "heartbeat_seconds 0 and max_hours 24 must be positive", TestName = "FromBytes_ZeroHeartbeat_IsRefused")]
    public void FromBytes_ManifestBreakingAJobFileRule_IsACloudErrorNamingTheObject(string at, string property, object value, string problem)
    {
        var json = JsonNode.Parse(Manifest().ToBytes())!;
        var target = at.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Aggregate(json, (node, part) => int.TryParse(part, out var i) ? node[i]! : node[part]!);
        target[property] = JsonValue.Create(value);

        var error = Assert.Throws<CloudException>(() => BatchManifest.FromBytes(Encoding.UTF8.GetBytes(json.ToJsonString()), "sweep", "sweep", Source))!;

        Assert.That(error.Message, Does.StartWith($"Error attempting to read the manifest {Source}: {problem}"));
        Assert.That(error.Hint, Does.Contain("changed outside awsrunner"));
    }

    [TestCase("{\"name\":", TestName = "FromBytes_TruncatedJson_IsACloudError")]
    [TestCase("[]", TestName = "FromBytes_NotAnObject_IsACloudError")]
    [TestCase("{\"name\":\"sweep\"}", TestName = "FromBytes_RequiredFieldsMissing_IsACloudError")]
    [TestCase("{\"name\":\"sweep\",\"bucket\":\"sweep\",\"cloud\":\"aws\",\"image_id\":\"ami-1\",\"created_at\":\"2026-01-01T00:00:00Z\",\"heartbeat_seconds\":60,\"max_hours\":24,\"rows\":null}", TestName = "FromBytes_NullRows_IsACloudError")]
    public void FromBytes_NotAManifest_IsACloudErrorNamingTheObject(string text)
    {
        var error = Assert.Throws<CloudException>(() => BatchManifest.FromBytes(Encoding.UTF8.GetBytes(text), "sweep", "sweep", Source))!;

        Assert.That(error.Message, Does.StartWith($"Error attempting to read the manifest {Source}: "));
    }

    [Test]
    public void FromBytes_ReadFromAnotherBucket_IsTakenToBeThere()
    {
        var read = BatchManifest.FromBytes((Manifest() with { Bucket = "elsewhere" }).ToBytes(), "sweep", "sweep", Source);

        Assert.That(read.Bucket, Is.EqualTo("sweep"), "a manifest cannot send the reader to another bucket");
    }

    [Test]
    public void CheckSameJobs_SameFile_Passes()
    {
        Assert.DoesNotThrow(() => Manifest().CheckSameJobs(Plan(Jobs)));
    }

    [TestCase("instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\nc5.large,python run.py,2,0.3\n",
        "jobs.csv:3: column 4 (rate): \"0.3\" differs from \"0.2\", the value batch \"sweep\" was created with; give the new jobs a new NAME, or restore the file",
        TestName = "CheckSameJobs_ChangedVariable_NamesRowAndColumn")]
    [TestCase("seed,instance_type,rate,command\n1,c5.large,0.1,python run.py\n2,c5.large,0.2,python other.py\n",
        "jobs.csv:3: column 4 (command): \"python other.py\" differs from \"python run.py\", the value batch \"sweep\" was created with",
        TestName = "CheckSameJobs_ChangedCommand_NamesRowAndColumn")]
    [TestCase("instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\nm5.large,python run.py,2,0.2\n",
        "jobs.csv:3: column 1 (instance_type): \"m5.large\" differs from \"c5.large\"",
        TestName = "CheckSameJobs_ChangedInstanceType_NamesRowAndColumn")]
    [TestCase("instance_type,command,seed,rate,extra\nc5.large,python run.py,1,0.1,x\nc5.large,python run.py,2,0.2,y\n",
        "jobs.csv:1: column 5 (extra): a column batch \"sweep\" does not have",
        TestName = "CheckSameJobs_AddedColumn_NamesIt")]
    [TestCase("instance_type,command,seed\nc5.large,python run.py,1\nc5.large,python run.py,2\n",
        "jobs.csv:1: column rate of batch \"sweep\" is missing",
        TestName = "CheckSameJobs_RemovedColumn_NamesIt")]
    [TestCase("instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\nc5.large,python run.py,2,0.2\nc5.large,python run.py,3,0.3\n",
        "jobs.csv:4: a job batch \"sweep\" does not have (it has 2)",
        TestName = "CheckSameJobs_AddedRow_NamesIt")]
    [TestCase("instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\n",
        "jobs.csv:2: the file ends after 1 jobs, batch \"sweep\" has 2",
        TestName = "CheckSameJobs_RemovedRow_SaysSo")]
    public void CheckSameJobs_ChangedJobFile_IsRefusedNamingWhere(string jobs, string message)
    {
        var error = Assert.Throws<InvalidInputException>(() => Manifest().CheckSameJobs(Plan(jobs)))!;

        Assert.That(error.Message, Does.StartWith(message));
    }

    private static BatchPlan Plan(string jobs) => new()
    {
        Name = "sweep",
        ImageId = "ami-1",
        Bucket = "sweep",
        Cloud = "aws",
        Jobs = JobFile.Parse(new StringReader(jobs), "jobs.csv"),
        CodeDirectory = "/code",
        Options = new DispatchOptions { ImageId = "ami-1", Name = "sweep", JobFile = "jobs.csv" },
    };

    private static BatchManifest Manifest()
    {
        var file = JobFile.Parse(new StringReader(Jobs), "jobs.csv");
        return new BatchManifest
        {
            Name = "sweep",
            Bucket = "sweep",
            Cloud = "aws",
            ImageId = "ami-1",
            CreatedAt = DateTimeOffset.UnixEpoch,
            HeartbeatSeconds = 60,
            MaxHours = 24,
            Rows = file.Rows.Select(r => new ManifestRow
            {
                Index = r.Index,
                Line = r.Line,
                InstanceType = r.InstanceType,
                Command = r.Command,
                Variables = r.Variables.ToDictionary(v => v.Key, v => v.Value),
            }).ToList(),
        };
    }
}
