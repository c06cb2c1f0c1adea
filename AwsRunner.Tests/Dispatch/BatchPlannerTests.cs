using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

/// <summary>What the plan makes of a code folder: its files measured, and a secret in it refused unless asked for.</summary>
public sealed class BatchPlannerTests
{
    private const string PrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    private const string Certificate = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n";

    private TempFolder folder = null!;

    private string Code => folder.Combine("code");

    private string Home => folder.Combine("home");

    [SetUp]
    public void SetUp()
    {
        folder = new TempFolder();
        folder.Write("code/jobs.csv", "instance_type,command\nt3.micro,true\n");
        folder.Write("code/run.sh", "true\n");
    }

    [TearDown]
    public void TearDown() => folder.Dispose();

    [TestCase(".aws/credentials", ".aws", "AWS credentials (.aws/)", TestName = "Plan_CodeFolderWithDotAws_IsRefused")]
    [TestCase(".ssh/id_ed25519", ".ssh", "SSH keys (.ssh/)", TestName = "Plan_CodeFolderWithDotSsh_IsRefused")]
    [TestCase("deploy/.aws/config", "deploy/.aws", "AWS credentials (.aws/)", TestName = "Plan_DotAwsDeepInTheCodeFolder_IsRefused")]
    [TestCase(".gnupg/private-keys-v1.d/x.key", ".gnupg", "GnuPG keys (.gnupg/)", TestName = "Plan_CodeFolderWithDotGnupg_IsRefused")]
    [TestCase(".netrc", ".netrc", "login passwords (.netrc)", TestName = "Plan_CodeFolderWithNetrc_IsRefused")]
    public void Plan_CodeFolderHoldingASecret_IsRefusedNamingIt(string file, string offending, string what)
    {
        folder.Write("code/" + file, "secret\n");

        Assert.That(Refusal(), Is.EqualTo(Refused(Path.Combine(Code, offending), what)));
    }

    [TestCase("batch.pem", TestName = "Plan_PrivateKeyPem_IsRefused")]
    [TestCase("server.key", TestName = "Plan_PrivateKeyDotKey_IsRefused")]
    [TestCase("keys/id_rsa", TestName = "Plan_IdRsa_IsRefused")]
    public void Plan_PrivateKeyFile_IsRefused(string file)
    {
        folder.Write("code/" + file, PrivateKey);

        Assert.That(Refusal(), Is.EqualTo(Refused(Path.Combine(Code, file), "a private key")));
    }

    [TestCase("venv/lib/certifi/cacert.pem", Certificate, TestName = "Plan_CertificatePem_IsFine")]
    [TestCase("keys/id_rsa.pub", "ssh-ed25519 AAAAC3Nza user@host\n", TestName = "Plan_PublicHalfOfAKey_IsFine")]
    [TestCase("src/id_utils.py", "def ids(): pass\n", TestName = "Plan_CodeNamedIdSomething_IsFine")]
    [TestCase("aws/config.py", "REGION = 'eu-west-1'\n", TestName = "Plan_FolderNamedAwsWithoutTheDot_IsFine")]
    public void Plan_FileThatIsNoSecret_IsFine(string file, string content)
    {
        folder.Write("code/" + file, content);

        Assert.DoesNotThrow(() => Plan());
    }

    [Test]
    public void Plan_AwsrunnerHomeInsideTheCodeFolder_IsRefused()
    {
        folder.Write("code/.awsrunner/sweep/key.pem", PrivateKey);

        Assert.That(Refusal(home: Path.Combine(Code, ".awsrunner")), Is.EqualTo(Refused(Path.Combine(Code, ".awsrunner"), "the awsrunner home (batch keys)")));
    }

    [Test]
    public void Plan_AwsrunnerHomeNotMadeYetInsideTheCodeFolder_IsRefused()
    {
        // The dispatch makes the home (its batch record, the local bucket) before it packs the code: refused up front.
        var home = Path.Combine(Code, "state", ".awsrunner");

        Assert.That(Refusal(home: home), Is.EqualTo(Refused(home, "the awsrunner home (batch keys)")));
    }

    [Test]
    public void Plan_AwsrunnerHomeNotMadeYetInAFolderNamedWithTwoDots_IsRefused()
    {
        var home = Path.Combine(Code, "..state", ".awsrunner");

        Assert.That(Refusal(home: home), Is.EqualTo(Refused(home, "the awsrunner home (batch keys)")));
    }

    [Test]
    public void Plan_AwsrunnerHomeNotMadeYetInAFolderTheCodeLeavesOut_IsFine()
    {
        folder.Write("code/.awsrunnerignore", "state/\n");

        Assert.DoesNotThrow(() => Plan(home: Path.Combine(Code, "state", ".awsrunner")));
    }

    [Test]
    public void Plan_CodeFolderThatIsTheAwsrunnerHome_IsRefused()
    {
        Assert.That(Refusal(home: Code), Is.EqualTo(Refused(Code, "the awsrunner home (batch keys)")));
    }

    [Test]
    public void Plan_SecretsWithCodeIncludeSecrets_AreAccepted()
    {
        folder.Write("code/.aws/credentials", "[default]\n");
        folder.Write("code/.ssh/id_rsa", PrivateKey);

        var plan = Plan(includeSecrets: true);

        Assert.That(plan.CodeFiles, Is.EqualTo(4));
    }

    [Test]
    public void Plan_SecretListedInAwsrunnerignore_IsNeitherRefusedNorMeasured()
    {
        folder.Write("code/.ssh/id_rsa", PrivateKey);
        folder.Write("code/.awsrunnerignore", ".ssh/\n");

        var plan = Plan();

        Assert.That((plan.CodeFiles, plan.CodeBytes), Is.EqualTo((3, new FileInfo(Path.Combine(Code, "jobs.csv")).Length + 5 + 6)));
    }

    private BatchPlan Plan(bool includeSecrets = false, string? home = null) => BatchPlanner.Plan(
        new DispatchOptions { ImageId = "local", Name = "plan", JobFile = Path.Combine(Code, "jobs.csv"), CodeIncludeSecrets = includeSecrets },
        "local",
        UploadUrlLimit.None,
        home ?? Home,
        bucket => bucket + "/");

    private string Refusal(string? home = null) => Assert.Throws<InvalidInputException>(() => Plan(home: home))!.Message;

    private static string Refused(string path, string what) =>
        $"{path}: {what} in the code folder, which every node receives; leave it out (.awsrunnerignore in the code folder, or DispatchOptions.CodeDirectory another folder), or pass DispatchOptions.CodeIncludeSecrets if the jobs need it";
}
