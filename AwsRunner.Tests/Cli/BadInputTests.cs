using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

public sealed class BadInputTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp()
    {
        batch = new LocalBatch();
        batch.Write("project/jobs.csv", "instance_type,command\nc5.large,true\n");
        batch.Write("install.sh", "true\n");
    }

    [TearDown]
    public void TearDown() => batch.Dispose();

    [TestCase("project/bad.csv", "instance_type,command\nc5.large,true\nm5,true\n", "awsrunner: project/bad.csv:3: column 1 (instance_type): instance type \"m5\" is not of the form family.size (e.g. c5.large)", TestName = "Dispatch_BadInstanceType_NamesFileLineAndColumn")]
    [TestCase("project/bad.csv", "instance_type,command\nt3.micro,true\nt3.mirco,true\n", "awsrunner: project/bad.csv:3: column 1 (instance_type): \"t3.mirco\" is not an EC2 instance type (the local cloud takes EC2's names); did you mean t3.micro?", TestName = "Dispatch_MistypedInstanceType_IsRefusedWithTheMeantOne")]
    [TestCase("project/bad.csv", "instance_type,command,seed\nc5.large,true\n", "awsrunner: project/bad.csv:2: column 3: the row has 2 fields but the header has 3", TestName = "Dispatch_ShortRow_NamesFileLineAndColumn")]
    [TestCase("project/bad.csv", "instance_type,command,seed,PATH\nc5.large,true,1,/opt/bin\n", "awsrunner: project/bad.csv:1: column 4 (PATH): PATH belongs to the node's shell", TestName = "Dispatch_ColumnNamedPath_IsRefusedWithItsColumn")]
    [TestCase("project/bad.csv", "", "awsrunner: project/bad.csv:1: the file is empty; it needs a header row naming instance_type and command", TestName = "Dispatch_EmptyJobFile_SaysSo")]
    public async Task Dispatch_BadJobFile_OneLineExit2AndNothingCreated(string path, string content, string message)
    {
        batch.Write(path, content);

        var run = await batch.RunAsync("dispatch", "local", "bad-input", path, "--cloud", "local", "--create", "--dispatch");

        AssertRefused(run, message);
    }

    [TestCase(new[] { "dispatch", "local", "Bad_Name", "project/jobs.csv", "--create" }, "awsrunner: name \"Bad_Name\": may hold only lowercase letters, digits and hyphens, because it names the S3 bucket", TestName = "Dispatch_NameBreakingBucketRules_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/missing.csv", "--create" }, "awsrunner: project/missing.csv: job file not found", TestName = "Dispatch_MissingJobFile_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--install", "nope.sh" }, "awsrunner: nope.sh: install script not found", TestName = "Dispatch_MissingInstallScript_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--code", "nowhere" }, "awsrunner: nowhere: code folder not found", TestName = "Dispatch_MissingCodeFolder_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--code", "project/jobs.csv" }, "awsrunner: project/jobs.csv: a file, and --code takes a folder: the one every node gets as ~/code, the jobs' working directory (this file's is --code project)", TestName = "Dispatch_CodeNamingAFile_SaysItTakesAFolder")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--max-hours", "0" }, "awsrunner: --max-hours 0: must be a positive number of hours (the dead man's switch)", TestName = "Dispatch_ZeroMaxHours_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--max-hours", "-2" }, "awsrunner: --max-hours -2: must be a positive number of hours (the dead man's switch)", TestName = "Dispatch_NegativeMaxHours_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--wait" }, "awsrunner: --wait needs --dispatch (to follow a batch already started, use: awsrunner status NAME)", TestName = "Dispatch_WaitWithoutDispatch_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--results", "../etc" }, "awsrunner: --results \"../etc\": must be a path inside the code folder (relative, without ..)", TestName = "Dispatch_ResultPathOutsideTheCode_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--timeout", "soon" }, "awsrunner: --timeout \"soon\": give a time such as 90s, 30m or 6h", TestName = "Dispatch_UnreadableTimeout_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--cloud", "gcp" }, "awsrunner: --cloud \"gcp\": must be aws or local", TestName = "Dispatch_UnknownCloud_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--secret", "AWSRUNNER_TEST_UNSET_SECRET" }, "awsrunner: --secret AWSRUNNER_TEST_UNSET_SECRET: names starting with AWSRUNNER_ are reserved for awsrunner", TestName = "Dispatch_SecretWithAReservedName_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--secret", "NO_SUCH_SECRET_ANYWHERE" }, "awsrunner: --secret NO_SUCH_SECRET_ANYWHERE: NO_SUCH_SECRET_ANYWHERE is not set in this environment (or give --secret NO_SUCH_SECRET_ANYWHERE=FILE to read it from a file)", TestName = "Dispatch_SecretNotInTheEnvironment_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--secret", "TOKEN=missing.txt" }, "awsrunner: --secret TOKEN=missing.txt: missing.txt: file not found", TestName = "Dispatch_SecretFromAMissingFile_IsRefused")]
    [TestCase(new[] { "dispatch", "local", "bad-input", "project/jobs.csv", "--create", "--result-part-size", "1M" }, "awsrunner: --result-part-size 1 MiB: must be 5 MiB to 5 GiB (S3's sizes for one part and one PUT)", TestName = "Dispatch_ResultPartSizeBelowS3sSmallestPart_IsRefused")]
    [TestCase(new[] { "status", "no-such-batch", "--cloud", "local" }, "awsrunner: no batch \"no-such-batch\" in ", TestName = "Status_UnknownBatch_IsRefused")]
    public async Task Command_BadInput_OneLineExit2AndNothingCreated(string[] arguments, string message)
    {
        var run = await batch.RunAsync([.. arguments, .. arguments.Contains("--cloud") ? Array.Empty<string>() : ["--cloud", "local"]]);

        AssertRefused(run, message);
    }

    [Test]
    public async Task Fetch_UnknownBatch_IsRefusedAndMakesNoOutdir()
    {
        var run = await batch.RunAsync("fetch", "no-such-batch", "out", "--cloud", "local");

        AssertRefused(run, "awsrunner: no batch \"no-such-batch\" in ");
        Assert.That(Directory.Exists(batch.Path("out")), Is.False, "OUTDIR is made only for a batch that exists");
    }

    [Test]
    public async Task Dispatch_CodeFolderOverMaxUpload_IsRefused()
    {
        batch.Write("project/data.bin", new string('x', 5000));

        var run = await batch.RunAsync("dispatch", "local", "bad-input", "project/jobs.csv", "--cloud", "local", "--create", "--max-upload", "4K");

        AssertRefused(run, "awsrunner: " + batch.Path("project") + ": the code folder holds more than 4 KiB (--max-upload); leave data out of it or raise --max-upload");
    }

    [Test]
    public async Task Dispatch_CodeFolderWithDotAws_IsRefusedNamingIt()
    {
        batch.Write("project/.aws/credentials", "[default]\naws_secret_access_key = x\n");

        var run = await batch.RunAsync("dispatch", "local", "bad-input", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch");

        AssertRefused(run, "awsrunner: " + batch.Path("project", ".aws") + ": AWS credentials (.aws/) in the code folder, which every node receives; leave it out (.awsrunnerignore in the code folder, or --code another folder), or pass --code-include-secrets if the jobs need it");
    }

    [Test]
    public async Task Dispatch_CodeFolderWithDotAwsAndCodeIncludeSecrets_IsAccepted()
    {
        batch.Write("project/.aws/credentials", "[default]\n");

        var run = await batch.RunAsync("dispatch", "local", "bad-input", "project/jobs.csv", "--cloud", "local", "--code-include-secrets");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output, Does.Contain("(2 files, "));
    }

    [Test]
    public async Task Dispatch_SshFolderListedInAwsrunnerignore_IsNeitherRefusedNorUploaded()
    {
        batch.Write("project/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
        batch.Write("project/.awsrunnerignore", ".ssh/\n");

        var run = await batch.RunAsync("dispatch", "local", "bad-input", "project/jobs.csv", "--cloud", "local");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output, Does.Contain("(2 files, "), "jobs.csv and .awsrunnerignore");
    }

    [Test]
    public async Task Dispatch_AwsWithoutCredentials_IsRefusedInOneLine()
    {
        NoAwsCredentials();

        var run = await batch.RunAsync("dispatch", "ami-0abcdef1234567890", "bad-input", "project/jobs.csv", "--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:9", "--create");

        AssertRefused(run, "awsrunner: no AWS credentials found (environment, shared config and credentials files, SSO, instance metadata): run 'aws configure' or 'aws sso login', set AWS_PROFILE, or pass --profile");
    }

    [TestCase("--region", "mars-north-1x", "awsrunner: --region \"mars-north-1x\": not a region name (such as eu-west-1)", TestName = "Dispatch_AwsUnknownRegionShape_IsRefused")]
    [TestCase("--max-hours", "200", "awsrunner: --max-hours 200: the nodes' upload URLs must work for 206 hours (the nodes' lifetime and 6 more), but S3's presigned URLs work at most 7 days: give --max-hours 162 or less", TestName = "Dispatch_AwsMaxHoursBeyondPresignedUrlLife_IsRefused")]
    [TestCase("--endpoint-url", "ftp://127.0.0.1:9", "awsrunner: --endpoint-url \"ftp://127.0.0.1:9\": give an http:// or https:// URL", TestName = "Dispatch_AwsEndpointNotHttp_IsRefused")]
    public async Task Dispatch_AwsBadOption_IsRefusedBeforeAnyCall(string option, string value, string message)
    {
        batch.Cli.Environment["AWS_ACCESS_KEY_ID"] = "testing";
        batch.Cli.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        string[] common = ["dispatch", "ami-0abcdef1234567890", "bad-input", "project/jobs.csv", "--endpoint-url", "http://127.0.0.1:9", "--region", "eu-west-1", "--ssh-cidr", "127.0.0.1/32", "--create"];
        var arguments = common.ToList();
        var at = arguments.IndexOf(option);
        if (at >= 0)
        {
            arguments[at + 1] = value;
        }
        else
        {
            arguments.AddRange([option, value]);
        }

        var run = await batch.RunAsync([.. arguments]);

        AssertRefused(run, message);
    }

    [Test]
    public async Task Dispatch_AwsSessionCredentialsOfUnknownExpiry_AreTakenAsOneHourAndRefusedBeforeAnyCall()
    {
        SessionCredentials();

        var run = await batch.RunAsync("dispatch", "ami-0abcdef1234567890", "bad-input", "project/jobs.csv", "--endpoint-url", "http://127.0.0.1:9",
            "--region", "eu-west-1", "--ssh-cidr", "127.0.0.1/32", "--create", "--max-hours", "1");

        AssertRefused(run, "awsrunner: --max-hours 1: the nodes' upload URLs must work for 7 hours (the nodes' lifetime and 6 more), but they are signed " +
            "with temporary AWS credentials (a session token) whose expiry cannot be known, so it is taken as 1 hour from now (if the session lasts longer, " +
            "say until when in AWS_CREDENTIAL_EXPIRATION, as 'aws configure export-credentials --format env' does): run the dispatch with long-lived " +
            "credentials (an IAM user's access key, in a profile given with --profile) (no --max-hours is short enough for these)");
    }

    [Test]
    public async Task Dispatch_AwsSessionCredentialsExpiringBeforeTheNodes_AreRefusedSayingWhenAndWhatToDo()
    {
        SessionCredentials();
        var expires = DateTimeOffset.UtcNow.AddHours(20).AddMinutes(1);
        batch.Cli.Environment["AWS_CREDENTIAL_EXPIRATION"] = expires.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        var run = await batch.RunAsync("dispatch", "ami-0abcdef1234567890", "bad-input", "project/jobs.csv", "--endpoint-url", "http://127.0.0.1:9",
            "--region", "eu-west-1", "--ssh-cidr", "127.0.0.1/32", "--create", "--max-hours", "24");

        AssertRefused(run, "awsrunner: --max-hours 24: the nodes' upload URLs must work for 30 hours (the nodes' lifetime and 6 more), but they are signed " +
            "with temporary AWS credentials (a session), which expire in 20 h ");
        Assert.That(run.Error, Does.Contain($"at {expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC: run the dispatch with long-lived credentials")
            .And.EndWith("or give --max-hours 14 or less\n"));
    }

    private void SessionCredentials()
    {
        NoAwsCredentials();
        batch.Cli.Environment["AWS_ACCESS_KEY_ID"] = "ASIATESTING";
        batch.Cli.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        batch.Cli.Environment["AWS_SESSION_TOKEN"] = "a-session";
        batch.Cli.Environment["AWS_CREDENTIAL_EXPIRATION"] = null;
    }

    private void NoAwsCredentials()
    {
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE" })
        {
            batch.Cli.Environment[name] = null;
        }

        batch.Cli.Environment["AWS_SHARED_CREDENTIALS_FILE"] = batch.Path("no-credentials");
        batch.Cli.Environment["AWS_CONFIG_FILE"] = batch.Path("no-config");
    }

    private void AssertRefused(CliRun run, string message)
    {
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        var lines = run.Error.TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), run.ToString());
        Assert.That(lines[0], Does.StartWith(message));
        Assert.That(Directory.Exists(Path.Combine(batch.Home, ".local-cloud", "nodes")), Is.False, "nothing may be created");
    }
}
