using System.Diagnostics;
using AwsRunner.Core;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Aws.Ec2;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

[TestFixture]
// They share one moto_server, reset between tests.
[NonParallelizable]
public sealed class AwsCloudAccessTests
{
    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task PrepareAccess_CreatesKeyPairSavedOwnerOnly()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();

        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);

        var key = BatchKeyPair.PrivateKeyPath(bed.Home, "sweep1");
        var pairs = await bed.Inspect.DescribeKeyPairsAsync("sweep1", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(pairs.Single().Tags["awsrunner:batch"], Is.EqualTo("sweep1"));
            Assert.That(File.ReadAllText(key), Does.StartWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
            Assert.That(File.GetUnixFileMode(key), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(key)!),
                Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        });
    }

    [Test]
    public async Task PrepareAccess_OpensOnlySshFromTheGivenAddresses()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = "198.51.100.7" });

        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);

        var group = (await bed.GroupsAsync("sweep1")).Single();
        var vpc = await bed.Inspect.FindDefaultVpcAsync(CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(group.VpcId, Is.EqualTo(vpc));
            Assert.That(group.Tags["awsrunner:batch"], Is.EqualTo("sweep1"));
            Assert.That(group.Ingress, Is.EqualTo(new[] { new Ec2IngressRule("tcp", 22, 22, "198.51.100.7/32", "awsrunner: SSH to the nodes") }));
        });
    }

    [Test]
    public async Task PrepareAccess_FromAnotherAddress_ReplacesTheOldSshRuleAndLeavesOthersAlone()
    {
        await using (var first = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = "198.51.100.7" }))
        {
            await first.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
            var group = (await first.GroupsAsync("sweep1")).Single();
            await first.Inspect.AuthorizeIngressAsync(group.GroupId, new Ec2IngressRule("tcp", 22, 22, "192.0.2.0/24", "the office"), CancellationToken.None);
        }

        await using var bed = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = "203.0.113.9" }, reset: false);
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);

        var rules = (await bed.GroupsAsync("sweep1")).Single().Ingress;
        var actions = bed.Recorder.Requests.Select(r => r.Action).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(rules.Select(r => r.Cidr), Is.EquivalentTo(new[] { "203.0.113.9/32", "192.0.2.0/24" }));
            Assert.That(bed.Recorder.Calls("RevokeSecurityGroupIngress").Single()["IpPermissions.1.IpRanges.1.CidrIp"], Is.EqualTo("198.51.100.7/32"));
            Assert.That(actions.IndexOf("AuthorizeSecurityGroupIngress"), Is.GreaterThanOrEqualTo(0).And.LessThan(actions.IndexOf("RevokeSecurityGroupIngress")),
                "the new rule first");
        });
    }

    [Test]
    public async Task PrepareAccess_FromAnIpv6Address_OpensA128RuleInIpv6Ranges()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = "2001:db8::7" });

        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);

        var authorize = bed.Recorder.Calls("AuthorizeSecurityGroupIngress").Single();
        Assert.Multiple(async () =>
        {
            Assert.That(authorize["IpPermissions.1.Ipv6Ranges.1.CidrIpv6"], Is.EqualTo("2001:db8::7/128"));
            Assert.That(authorize.Form.Keys, Has.None.Contains("IpRanges"));
            Assert.That((await bed.GroupsAsync("sweep1")).Single().Ingress.Select(r => r.Cidr), Is.EqualTo(new[] { "2001:db8::7/128" }));
        });
    }

    [Test]
    public async Task PrepareAccess_Twice_CreatesNothingNew()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
        var key = File.ReadAllText(BatchKeyPair.PrivateKeyPath(bed.Home, "sweep1"));
        bed.Recorder.Clear();

        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(bed.Recorder.Requests.Select(r => r.Action),
                Has.None.AnyOf("CreateKeyPair", "CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "DeleteKeyPair"));
            Assert.That(File.ReadAllText(BatchKeyPair.PrivateKeyPath(bed.Home, "sweep1")), Is.EqualTo(key));
            Assert.That(await bed.GroupsAsync("sweep1"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task PrepareAccess_WithKeyFile_ImportsItsPublicHalfAndPointsTheBatchKeyAtItsPrivateHalf()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var keyFile = Path.Combine(bed.Home, "mine");
        using (var keygen = Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]))
        {
            await keygen.WaitForExitAsync();
        }

        await using var withKey = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, KeyFile = keyFile }, reset: false);

        await withKey.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);

        var import = withKey.Recorder.Calls("ImportKeyPair").Single();
        Assert.Multiple(() =>
        {
            Assert.That(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(import["PublicKeyMaterial"])),
                Is.EqualTo(File.ReadAllText(keyFile + ".pub").Trim()));
            Assert.That(withKey.Recorder.Calls("CreateKeyPair"), Is.Empty);
            Assert.That(new FileInfo(BatchKeyPair.PrivateKeyPath(withKey.Home, "sweep1")).LinkTarget, Is.EqualTo(keyFile), "no copy of the user's key");
        });
    }

    [Test]
    public async Task PrepareAccess_ReRunWithAnotherKeyFile_IsRefusedAndChangesNothing()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var first = await KeyAsync(bed.Home, "first");
        var other = await KeyAsync(bed.Home, "other");
        await using (var created = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, KeyFile = first }, reset: false))
        {
            await created.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
        }

        await using var again = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, KeyFile = first }, reset: false);
        await again.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
        await using var rerun = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, KeyFile = other }, reset: false);
        var linked = new FileInfo(BatchKeyPair.PrivateKeyPath(rerun.Home, "sweep1")).LinkTarget;

        var error = Assert.ThrowsAsync<InvalidInputException>(() => rerun.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.StartWith($"AwsCloudOptions.KeyFile {other}: not the key of batch sweep1"));
            Assert.That(rerun.Recorder.Requests.Select(r => r.Action), Has.None.AnyOf("ImportKeyPair", "DeleteKeyPair", "CreateKeyPair"));
            Assert.That(new FileInfo(BatchKeyPair.PrivateKeyPath(rerun.Home, "sweep1")).LinkTarget, Is.EqualTo(linked));
        });
    }

    [Test]
    public async Task PrepareAccess_KeyFileOnABatchWhoseKeyAwsrunnerMade_IsRefusedAndChangesNothing()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
        var key = File.ReadAllText(BatchKeyPair.PrivateKeyPath(bed.Home, "sweep1"));
        var mine = await KeyAsync(bed.Home, "mine");
        await using var rerun = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, KeyFile = mine }, reset: false);

        var error = Assert.ThrowsAsync<InvalidInputException>(() => rerun.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("not the key of batch sweep1").And.Contain("without AwsCloudOptions.KeyFile"));
            Assert.That(File.ReadAllText(BatchKeyPair.PrivateKeyPath(bed.Home, "sweep1")), Is.EqualTo(key));
        });
    }

    private static async Task<string> KeyAsync(string folder, string name)
    {
        var keyFile = Path.Combine(folder, name);
        using var keygen = Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]);
        await keygen.WaitForExitAsync();
        return keyFile;
    }

    [Test]
    public async Task CheckImage_WithMissingKeyFile_FailsBeforeAnythingIsCreated()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, KeyFile = "/nonexistent/key" });

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Cloud.CheckImageAsync(AwsTestBed.Image, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("/nonexistent/key.pub"));
    }

    [Test]
    public async Task CheckImage_WithEndpointAndNoSshCidr_AsksForSshCidrInsteadOfLookingUpAnAddress()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(new AwsCloudOptions());

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Cloud.CheckImageAsync(AwsTestBed.Image, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("SshCidr"));
            Assert.That(error.Message, Does.Contain("AwsCloudOptions.SshCidr"));
        });
    }

    [Test]
    public async Task CheckImage_WithMalformedSshCidr_IsInvalidInput()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = "10.0.0.1/8" });

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Cloud.CheckImageAsync(AwsTestBed.Image, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("AwsCloudOptions.SshCidr \"10.0.0.1/8\""));
    }

    [Test]
    public async Task PrepareAccess_SecurityGroupOfThatNameNotOurs_IsRefused()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var vpc = await bed.Inspect.FindDefaultVpcAsync(CancellationToken.None);
        await bed.Inspect.CreateSecurityGroupAsync("sweep1", "someone's", vpc!, [], CancellationToken.None);

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo("SecurityGroupExists"));
    }

    [Test]
    public async Task PrepareAccess_KeyPairExistsButItsKeyIsLost_ReplacesItWhileNoInstanceUsesIt()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
        var key = BatchKeyPair.PrivateKeyPath(bed.Home, "sweep1");
        File.Delete(key);

        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(bed.Recorder.Calls("DeleteKeyPair"), Has.Count.EqualTo(1));
            Assert.That(bed.Recorder.Calls("CreateKeyPair"), Has.Count.EqualTo(2));
            Assert.That(File.Exists(key), Is.True);
        });
    }

    [Test]
    public async Task PrepareAccess_KeyLostWhileInstancesRun_IsRefused()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"));
        File.Delete(BatchKeyPair.PrivateKeyPath(bed.Home, "sweep1"));

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo("KeyMissing"));
    }

    [Test]
    public async Task RemoveAccess_DeletesSecurityGroupKeyPairAndKeyFile()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var nodes = await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"));
        await bed.Cloud.TerminateAsync("sweep1", [nodes[0].InstanceId], CancellationToken.None);

        await bed.Cloud.RemoveAccessAsync("sweep1", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await bed.GroupsAsync("sweep1"), Is.Empty);
            Assert.That(await bed.Inspect.DescribeKeyPairsAsync("sweep1", CancellationToken.None), Is.Empty);
            Assert.That(File.Exists(BatchKeyPair.PrivateKeyPath(bed.Home, "sweep1")), Is.False);
        });
    }

    [Test]
    public async Task RemoveAccess_LeavesAnotherBatchAlone()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
        await bed.Cloud.PrepareAccessAsync("sweep2", CancellationToken.None);

        await bed.Cloud.RemoveAccessAsync("sweep1", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await bed.GroupsAsync("sweep2"), Has.Count.EqualTo(1));
            Assert.That(await bed.Inspect.DescribeKeyPairsAsync("sweep2", CancellationToken.None), Has.Count.EqualTo(1));
            Assert.That(File.Exists(BatchKeyPair.PrivateKeyPath(bed.Home, "sweep2")), Is.True);
        });
    }
}
