using System.Text;
using System.Xml.Linq;

namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>EC2 over the Query API, version 2016-11-15.</summary>
internal sealed class Ec2QueryClient(AwsQueryTransport transport, int pageSize) : IEc2Api, IDisposable
{
    public const string Version = "2016-11-15";

    public async Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(string imageId, CancellationToken cancellationToken)
    {
        var root = await SendAsync(Form("DescribeImages").Add("ImageId.1", imageId), cancellationToken).ConfigureAwait(false);
        return root.Items("imagesSet")
            .Select(i => new Ec2Image(i.Required("imageId"), i.Text("imageState") ?? "", i.Text("name"), i.Text("rootDeviceName")))
            .ToList();
    }

    public async Task<string?> FindDefaultVpcAsync(CancellationToken cancellationToken)
    {
        var root = await SendAsync(Form("DescribeVpcs").AddFilters([new Ec2Filter("is-default", "true")]), cancellationToken).ConfigureAwait(false);
        return root.Items("vpcSet").Select(v => v.Text("vpcId")).FirstOrDefault(id => id is not null);
    }

    public async Task<string> DescribeSubnetVpcAsync(string subnetId, CancellationToken cancellationToken)
    {
        var root = await SendAsync(Form("DescribeSubnets").Add("SubnetId.1", subnetId), cancellationToken).ConfigureAwait(false);
        return root.Items("subnetSet").Select(s => s.Text("vpcId")).FirstOrDefault(id => id is not null)
            ?? throw new AwsApiException("DescribeSubnets", System.Net.HttpStatusCode.BadRequest, "InvalidSubnetID.NotFound",
                $"The subnet ID '{subnetId}' does not exist", null);
    }

    public async Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IReadOnlyList<Ec2Filter> filters, CancellationToken cancellationToken)
    {
        var groups = new List<Ec2SecurityGroup>();
        await foreach (var page in PagesAsync(Form("DescribeSecurityGroups").AddFilters(filters), cancellationToken).ConfigureAwait(false))
        {
            groups.AddRange(page.Items("securityGroupInfo").Select(g => new Ec2SecurityGroup(
                g.Required("groupId"),
                g.Text("groupName") ?? "",
                g.Text("vpcId") ?? "",
                g.Items("ipPermissions").SelectMany(IngressRules).ToList(),
                g.Tags())));
        }

        return groups;
    }

    public async Task<string> CreateSecurityGroupAsync(string name, string description, string vpcId, IReadOnlyList<Ec2Tag> tags, CancellationToken cancellationToken)
    {
        var form = Form("CreateSecurityGroup")
            .Add("GroupName", name)
            .Add("GroupDescription", description)
            .Add("VpcId", vpcId)
            .AddTagSpecifications(["security-group"], tags);
        return (await SendAsync(form, cancellationToken).ConfigureAwait(false)).Required("groupId");
    }

    public async Task AuthorizeIngressAsync(string groupId, Ec2IngressRule rule, string description, CancellationToken cancellationToken)
    {
        var range = rule.Cidr.Contains(':', StringComparison.Ordinal)
            ? ("IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "IpPermissions.1.Ipv6Ranges.1.Description")
            : ("IpPermissions.1.IpRanges.1.CidrIp", "IpPermissions.1.IpRanges.1.Description");
        var form = Form("AuthorizeSecurityGroupIngress")
            .Add("GroupId", groupId)
            .Add("IpPermissions.1.IpProtocol", rule.Protocol)
            .Add("IpPermissions.1.FromPort", rule.FromPort)
            .Add("IpPermissions.1.ToPort", rule.ToPort)
            .Add(range.Item1, rule.Cidr)
            .Add(range.Item2, description);
        await SendAsync(form, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteSecurityGroupAsync(string groupId, CancellationToken cancellationToken) =>
        await SendAsync(Form("DeleteSecurityGroup").Add("GroupId", groupId), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<Ec2KeyPair>> DescribeKeyPairsAsync(string keyName, CancellationToken cancellationToken)
    {
        var root = await SendAsync(Form("DescribeKeyPairs").AddFilters([new Ec2Filter("key-name", keyName)]), cancellationToken).ConfigureAwait(false);
        return root.Items("keySet").Select(k => new Ec2KeyPair(k.Required("keyName"), k.Text("keyPairId"), k.Tags())).ToList();
    }

    public async Task<string> CreateKeyPairAsync(string keyName, IReadOnlyList<Ec2Tag> tags, CancellationToken cancellationToken)
    {
        var form = Form("CreateKeyPair").Add("KeyName", keyName).Add("KeyType", "ed25519").AddTagSpecifications(["key-pair"], tags);
        return (await SendAsync(form, cancellationToken).ConfigureAwait(false)).Required("keyMaterial");
    }

    public async Task ImportKeyPairAsync(string keyName, string publicKey, IReadOnlyList<Ec2Tag> tags, CancellationToken cancellationToken)
    {
        var form = Form("ImportKeyPair")
            .Add("KeyName", keyName)
            .Add("PublicKeyMaterial", Convert.ToBase64String(Encoding.UTF8.GetBytes(publicKey)))
            .AddTagSpecifications(["key-pair"], tags);
        await SendAsync(form, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteKeyPairAsync(string keyName, CancellationToken cancellationToken) =>
        await SendAsync(Form("DeleteKeyPair").Add("KeyName", keyName), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<Ec2Instance>> RunInstancesAsync(RunInstancesSpec spec, CancellationToken cancellationToken)
    {
        var form = Form("RunInstances")
            .Add("ImageId", spec.ImageId)
            .Add("InstanceType", spec.InstanceType)
            .Add("MinCount", spec.Count)
            .Add("MaxCount", spec.Count)
            .Add("ClientToken", spec.ClientToken)
            .Add("KeyName", spec.KeyName)
            .Add("SecurityGroupId.1", spec.SecurityGroupId)
            .Add("InstanceInitiatedShutdownBehavior", "terminate")
            .Add("UserData", Convert.ToBase64String(Encoding.UTF8.GetBytes(spec.UserData)))
            .AddTagSpecifications(["instance", "volume"], spec.Tags);
        if (spec.SubnetId is not null)
        {
            form.Add("SubnetId", spec.SubnetId);
        }

        if (spec.InstanceProfile is not null)
        {
            form.Add(spec.InstanceProfile.StartsWith("arn:", StringComparison.Ordinal) ? "IamInstanceProfile.Arn" : "IamInstanceProfile.Name", spec.InstanceProfile);
        }

        if (spec.VolumeSizeGiB is { } size)
        {
            form.Add("BlockDeviceMapping.1.DeviceName", spec.RootDeviceName ?? "/dev/xvda")
                .Add("BlockDeviceMapping.1.Ebs.VolumeSize", size)
                .Add("BlockDeviceMapping.1.Ebs.VolumeType", "gp3")
                .Add("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true");
        }

        if (spec.Spot)
        {
            form.Add("InstanceMarketOptions.MarketType", "spot")
                .Add("InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time")
                .Add("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate");
        }

        var root = await SendAsync(form, cancellationToken).ConfigureAwait(false);
        return root.Items("instancesSet").Select(ToInstance).ToList();
    }

    public async Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IReadOnlyList<Ec2Filter> filters, CancellationToken cancellationToken)
    {
        var instances = new List<Ec2Instance>();
        await foreach (var page in PagesAsync(Form("DescribeInstances").AddFilters(filters), cancellationToken).ConfigureAwait(false))
        {
            instances.AddRange(page.Items("reservationSet").SelectMany(r => r.Items("instancesSet")).Select(ToInstance));
        }

        return instances;
    }

    public async Task TerminateInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        // TerminateInstances takes at most 1000 ids a call.
        foreach (var chunk in instanceIds.Chunk(1000))
        {
            await SendAsync(Form("TerminateInstances").AddList("InstanceId", chunk), cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => transport.Dispose();

    private static QueryForm Form(string action) => new(action, Version);

    private Task<XElement> SendAsync(QueryForm form, CancellationToken cancellationToken) => transport.SendAsync(form, cancellationToken);

    private async IAsyncEnumerable<XElement> PagesAsync(QueryForm first, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var form = new QueryForm(first.Action, Version);
            foreach (var (name, value) in first.Parameters.Where(p => p.Key is not ("Action" or "Version")))
            {
                form.Add(name, value);
            }

            form.Add("MaxResults", pageSize);
            if (token is not null)
            {
                form.Add("NextToken", token);
            }

            var page = await SendAsync(form, cancellationToken).ConfigureAwait(false);
            yield return page;
            token = page.Text("nextToken");
        }
        while (token is not null);
    }

    private static IEnumerable<Ec2IngressRule> IngressRules(XElement permission)
    {
        var protocol = permission.Text("ipProtocol") ?? "";
        var from = permission.Int("fromPort", -1);
        var to = permission.Int("toPort", -1);
        return permission.Items("ipRanges").Select(r => r.Text("cidrIp"))
            .Concat(permission.Items("ipv6Ranges").Select(r => r.Text("cidrIpv6")))
            .OfType<string>()
            .Select(cidr => new Ec2IngressRule(protocol, from, to, cidr));
    }

    private static Ec2Instance ToInstance(XElement i) => new(
        i.Required("instanceId"),
        i.Text("instanceType") ?? "",
        i.Child("instanceState").Text("name") ?? "pending",
        i.Text("ipAddress"),
        i.Text("privateIpAddress"),
        i.Time("launchTime"),
        i.Int("amiLaunchIndex"),
        i.Text("instanceLifecycle"),
        i.Tags());
}
