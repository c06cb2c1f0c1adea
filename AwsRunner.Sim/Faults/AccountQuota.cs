using System.Collections.Specialized;
using System.Globalization;
using System.Net;
using AwsRunner.Sim.Ec2;

namespace AwsRunner.Sim.Faults;

/// <summary>
/// An account's limits on running on-demand capacity in one region, as EC2 applies them to RunInstances: at most
/// <see cref="VcpuLimit"/> vCPUs and at most <see cref="InstanceLimit"/> instances of the live (pending or running)
/// on-demand instances together (either may be null: no such limit). A call is granted min(MaxCount, what fits); below
/// MinCount it is refused as EC2 refuses it. Spot launches have quotas of their own, not emulated here: they pass.
/// Calls are decided one at a time, each only after the one before was answered, so two calls never share headroom.
/// </summary>
internal sealed class AccountQuota : IDisposable
{
    /// <summary>EC2's instance type when RunInstances names none.</summary>
    private const string DefaultInstanceType = "m1.small";

    private readonly IAccountInstances account;
    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    public AccountQuota(int? vcpuLimit, int? instanceLimit, IAccountInstances account)
    {
        if (vcpuLimit < 0 || instanceLimit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(vcpuLimit), "limits are zero or more");
        }

        VcpuLimit = vcpuLimit;
        InstanceLimit = instanceLimit;
        this.account = account;
    }

    public int? VcpuLimit { get; }

    public int? InstanceLimit { get; }

    /// <summary>Builds an account quota from the counts given, or none when neither limit is.</summary>
    public static AccountQuota? Of(int? vcpuLimit, int? instanceLimit, IAccountInstances account) =>
        vcpuLimit is null && instanceLimit is null ? null : new AccountQuota(vcpuLimit, instanceLimit, account);

    /// <summary>
    /// Decides a RunInstances call (<paramref name="form"/>, the Query form as sent). The admission holds every other
    /// call back until it is disposed: dispose it once the call it let through has been answered.
    /// </summary>
    public async Task<QuotaAdmission> AdmitAsync(string form, CancellationToken cancellationToken)
    {
        await oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await DecideAsync(form, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            oneAtATime.Release();
            throw;
        }
    }

    private async Task<QuotaAdmission> DecideAsync(string form, CancellationToken cancellationToken)
    {
        var parameters = System.Web.HttpUtility.ParseQueryString(form);
        if (parameters["InstanceMarketOptions.MarketType"] == "spot"
            || !int.TryParse(parameters["MinCount"], CultureInfo.InvariantCulture, out var minCount)
            || !int.TryParse(parameters["MaxCount"], CultureInfo.InvariantCulture, out var maxCount))
        {
            // Spot, or a call EC2 itself refuses as malformed (moto answers it).
            return Pass(form);
        }

        var live = (await account.LiveAsync(null, cancellationToken).ConfigureAwait(false)).Where(i => !i.Spot).ToList();
        if (parameters["ClientToken"] is { } token && live.Any(i => i.ClientToken == token))
        {
            // A call made again with its ClientToken returns the first call's instances: nothing new is launched.
            return Pass(form);
        }

        var type = parameters["InstanceType"] ?? DefaultInstanceType;
        var fitsVcpus = int.MaxValue;
        if (VcpuLimit is { } vcpuLimit)
        {
            var used = 0;
            foreach (var instance in live)
            {
                used += await account.VcpusAsync(instance.InstanceType, cancellationToken).ConfigureAwait(false);
            }

            fitsVcpus = Math.Max(0, vcpuLimit - used) / await account.VcpusAsync(type, cancellationToken).ConfigureAwait(false);
        }

        var fitsInstances = InstanceLimit is { } instanceLimit ? Math.Max(0, instanceLimit - live.Count) : int.MaxValue;
        var granted = Math.Min(maxCount, Math.Min(fitsVcpus, fitsInstances));
        if (granted >= minCount)
        {
            // moto launches MinCount instances where EC2 launches as many as it can up to MaxCount: both are set to
            // what EC2 would grant. The form's signature no longer matches; moto does not check signatures.
            return new QuotaAdmission(this, WithCounts(form, granted), null);
        }

        return new QuotaAdmission(this, form, fitsVcpus < minCount
            ? new Ec2Error(HttpStatusCode.BadRequest, "VcpuLimitExceeded",
                $"You have requested more vCPU capacity than your current vCPU limit of {VcpuLimit} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.")
            : new Ec2Error(HttpStatusCode.BadRequest, "InstanceLimitExceeded",
                $"Your quota allows for {fitsInstances} more running instance(s). You requested at least {minCount}"));
    }

    public void Dispose() => oneAtATime.Dispose();

    public override string ToString() =>
        $"running on-demand vCPU limit {Say(VcpuLimit)}, running on-demand instance limit {Say(InstanceLimit)}";

    /// <summary>Lets the next call be decided.</summary>
    internal void Release() => oneAtATime.Release();

    private static string Say(int? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "none";

    private QuotaAdmission Pass(string form) => new(this, form, null);

    // Only the two counts change; every other parameter stays as it was sent, byte for byte.
    private static string WithCounts(string form, int count) =>
        string.Join('&', form.Split('&').Select(pair => pair.Split('=', 2)[0] is "MinCount" or "MaxCount"
            ? $"{pair.Split('=', 2)[0]}={count.ToString(CultureInfo.InvariantCulture)}"
            : pair));
}
