using System.Web;
using AwsRunner.Sim.Faults;

namespace AwsRunner.Tests.Sim.Faults;

public sealed class AccountQuotaTests
{
    [Test]
    public async Task Admit_MoreThanTheVcpuLimitLeaves_CutsBothCountsDownToWhatFits()
    {
        var account = new FakeAccount();
        account.Add("m5.xlarge", 1);
        using var quota = new AccountQuota(vcpuLimit: 10, instanceLimit: null, account);

        using var admission = await quota.AdmitAsync(RunInstances("t3.micro", min: 1, max: 5), CancellationToken.None);

        var form = HttpUtility.ParseQueryString(admission.Form);
        Assert.Multiple(() =>
        {
            Assert.That(admission.Refusal, Is.Null);
            Assert.That((form["MinCount"], form["MaxCount"]), Is.EqualTo(("3", "3")), "(10 - 4) / 2 vCPUs");
            Assert.That(admission.Form, Does.StartWith("Action=RunInstances&ImageId=ami-760aaa0f&"), "the rest as it was sent");
            Assert.That(form["UserData"], Is.EqualTo("IyEvYmluL3NoCg=="));
        });
    }

    [Test]
    public async Task Admit_AllThatWasAskedFits_GrantsMaxCountAsEc2Does()
    {
        using var quota = new AccountQuota(vcpuLimit: 32, instanceLimit: null, new FakeAccount());

        using var admission = await quota.AdmitAsync(RunInstances("t3.micro", min: 2, max: 4), CancellationToken.None);

        var form = HttpUtility.ParseQueryString(admission.Form);
        Assert.That((form["MinCount"], form["MaxCount"]), Is.EqualTo(("4", "4")), "moto launches MinCount: it must be what EC2 grants");
    }

    [Test]
    public async Task Admit_LessFitsThanMinCount_IsRefusedWithVcpuLimitExceeded()
    {
        var account = new FakeAccount();
        account.Add("t3.micro", 15);
        using var quota = new AccountQuota(vcpuLimit: 32, instanceLimit: null, account);

        using var admission = await quota.AdmitAsync(RunInstances("c5.large", min: 2, max: 2), CancellationToken.None);

        Assert.That(admission.Refusal, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That((int)admission.Refusal!.Status, Is.EqualTo(400));
            Assert.That(admission.Refusal.Code, Is.EqualTo("VcpuLimitExceeded"));
            Assert.That(admission.Refusal.Message, Does.StartWith("You have requested more vCPU capacity than your current vCPU limit of 32 allows"));
        });
    }

    [Test]
    public async Task Admit_InstanceLimitReached_IsRefusedWithInstanceLimitExceeded()
    {
        var account = new FakeAccount();
        account.Add("t3.micro", 3);
        using var quota = new AccountQuota(vcpuLimit: null, instanceLimit: 4, account);

        using var admission = await quota.AdmitAsync(RunInstances("t3.micro", min: 2, max: 3), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(admission.Refusal?.Code, Is.EqualTo("InstanceLimitExceeded"));
            Assert.That(admission.Refusal?.Message, Is.EqualTo("Your quota allows for 1 more running instance(s). You requested at least 2"));
        });
    }

    [Test]
    public async Task Admit_SpotInstancesLiveAndAsked_AreNotCountedNorCut()
    {
        var account = new FakeAccount();
        account.Add("m5.xlarge", 4, spot: true);
        using var quota = new AccountQuota(vcpuLimit: 4, instanceLimit: null, account);

        using var onDemand = await quota.AdmitAsync(RunInstances("t3.micro", min: 1, max: 2), CancellationToken.None);
        var onDemandCounts = HttpUtility.ParseQueryString(onDemand.Form)["MaxCount"];
        onDemand.Dispose();
        var spot = RunInstances("m5.xlarge", min: 5, max: 5) + "&InstanceMarketOptions.MarketType=spot";
        using var spotAdmission = await quota.AdmitAsync(spot, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(onDemandCounts, Is.EqualTo("2"), "the live spot instances' 16 vCPUs do not count");
            Assert.That(spotAdmission.Refusal, Is.Null);
            Assert.That(spotAdmission.Form, Is.EqualTo(spot));
        });
    }

    [Test]
    public async Task Admit_ClientTokenOfLiveInstances_PassesUnchangedAsEc2ReturnsTheFirstCallsInstances()
    {
        var account = new FakeAccount();
        account.Add("t3.micro", 2, clientToken: "batch-token");
        using var quota = new AccountQuota(vcpuLimit: 4, instanceLimit: null, account);
        var again = RunInstances("t3.micro", min: 2, max: 2) + "&ClientToken=batch-token";

        using var admission = await quota.AdmitAsync(again, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(admission.Refusal, Is.Null);
            Assert.That(admission.Form, Is.EqualTo(again));
        });
    }

    [Test]
    public async Task Admit_WhileAnotherCallIsAdmitted_WaitsUntilThatOneIsDisposed()
    {
        using var quota = new AccountQuota(vcpuLimit: 4, instanceLimit: null, new FakeAccount());
        var first = await quota.AdmitAsync(RunInstances("t3.micro", min: 1, max: 1), CancellationToken.None);

        var second = quota.AdmitAsync(RunInstances("t3.micro", min: 1, max: 1), CancellationToken.None);
        await Task.Delay(100);
        var waited = !second.IsCompleted;
        first.Dispose();
        using var admitted = await second.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(waited, Is.True, "two calls must never share the same headroom");
    }

    private static string RunInstances(string type, int min, int max) =>
        $"Action=RunInstances&ImageId=ami-760aaa0f&MinCount={min}&MaxCount={max}&InstanceType={type}&UserData=IyEvYmluL3NoCg%3D%3D&Version=2016-11-15";
}
