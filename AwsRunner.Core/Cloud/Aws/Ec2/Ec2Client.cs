using System.Diagnostics;
using System.Net;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Filter = Amazon.EC2.Model.Filter;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// <see cref="IEc2Api"/> on AWSSDK.EC2: every call (and every page of a paginated one) goes through the retry
/// pipeline, the SDK's own retries being off (<see cref="SdkClients"/>). Describe calls walk the SDK's paginators
/// <paramref name="pageSize"/> results a page.
/// </summary>
internal sealed partial class Ec2Client(IAmazonEC2 ec2, ResiliencePipeline retry, int pageSize, ILogger? logger = null) : IEc2Api, IDisposable
{
    // DescribeInstanceTypes takes at most 100 types a call; TerminateInstances at most 1000 ids.
    private const int TypesPerCall = 100;
    private const int IdsPerCall = 1000;

    private readonly ILogger log = logger ?? NullLogger.Instance;

    public async Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(string imageId, CancellationToken cancellationToken)
    {
        var response = await CallAsync("DescribeImages", token => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] }, token), cancellationToken)
            .ConfigureAwait(false);
        return (response.Images ?? [])
            .Select(i => new Ec2Image(
                i.ImageId,
                i.State?.Value ?? "",
                i.Name,
                i.RootDeviceName,
                i.RootDeviceType?.Value,
                (i.BlockDeviceMappings ?? []).FirstOrDefault(m => m.DeviceName == i.RootDeviceName)?.Ebs?.VolumeSize))
            .ToList();
    }

    public async Task<string?> FindDefaultVpcAsync(CancellationToken cancellationToken)
    {
        var request = new DescribeVpcsRequest { Filters = Filters([new Ec2Filter("is-default", "true")]) };
        var response = await CallAsync("DescribeVpcs", token => ec2.DescribeVpcsAsync(request, token), cancellationToken).ConfigureAwait(false);
        return (response.Vpcs ?? []).Select(v => v.VpcId).FirstOrDefault(id => id is not null);
    }

    public async Task<string> DescribeSubnetVpcAsync(string subnetId, CancellationToken cancellationToken)
    {
        var response = await CallAsync("DescribeSubnets", token => ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = [subnetId] }, token), cancellationToken)
            .ConfigureAwait(false);
        return (response.Subnets ?? []).Select(s => s.VpcId).FirstOrDefault(id => id is not null)
            ?? throw new AmazonEC2Exception($"The subnet ID '{subnetId}' does not exist", ErrorType.Sender, "InvalidSubnetID.NotFound", null, HttpStatusCode.BadRequest);
    }

    public async Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IReadOnlyList<Ec2Filter> filters, CancellationToken cancellationToken) =>
        await AllPagesAsync(
            "DescribeSecurityGroups",
            from => ec2.Paginators.DescribeSecurityGroups(new DescribeSecurityGroupsRequest { Filters = Filters(filters), MaxResults = pageSize, NextToken = from }).Responses,
            page => page.NextToken,
            page => (page.SecurityGroups ?? []).Select(g => new Ec2SecurityGroup(
                g.GroupId,
                g.GroupName ?? "",
                g.VpcId ?? "",
                (g.IpPermissions ?? []).SelectMany(IngressRules).ToList(),
                Tags(g.Tags))),
            cancellationToken).ConfigureAwait(false);

    public async Task<string> CreateSecurityGroupAsync(string name, string description, string vpcId, IReadOnlyList<Ec2Tag> tags, CancellationToken cancellationToken)
    {
        var request = new CreateSecurityGroupRequest
        {
            GroupName = name,
            Description = description,
            VpcId = vpcId,
            TagSpecifications = TagSpecifications(tags, ResourceType.SecurityGroup),
        };
        return (await CallAsync("CreateSecurityGroup", token => ec2.CreateSecurityGroupAsync(request, token), cancellationToken).ConfigureAwait(false)).GroupId;
    }

    public Task AuthorizeIngressAsync(string groupId, Ec2IngressRule rule, CancellationToken cancellationToken)
    {
        var request = new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Permission(rule)] };
        return CallAsync("AuthorizeSecurityGroupIngress", token => ec2.AuthorizeSecurityGroupIngressAsync(request, token), cancellationToken);
    }

    public Task RevokeIngressAsync(string groupId, Ec2IngressRule rule, CancellationToken cancellationToken)
    {
        var request = new RevokeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Permission(rule with { Description = null })] };
        return CallAsync("RevokeSecurityGroupIngress", token => ec2.RevokeSecurityGroupIngressAsync(request, token), cancellationToken);
    }

    public Task DeleteSecurityGroupAsync(string groupId, CancellationToken cancellationToken) =>
        CallAsync("DeleteSecurityGroup", token => ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = groupId }, token), cancellationToken);

    public async Task<IReadOnlyList<Ec2KeyPair>> DescribeKeyPairsAsync(string keyName, CancellationToken cancellationToken)
    {
        var request = new DescribeKeyPairsRequest { Filters = Filters([new Ec2Filter("key-name", keyName)]) };
        var response = await CallAsync("DescribeKeyPairs", token => ec2.DescribeKeyPairsAsync(request, token), cancellationToken).ConfigureAwait(false);
        return (response.KeyPairs ?? []).Select(k => new Ec2KeyPair(k.KeyName, k.KeyPairId, Tags(k.Tags))).ToList();
    }

    public async Task<string> CreateKeyPairAsync(string keyName, IReadOnlyList<Ec2Tag> tags, CancellationToken cancellationToken)
    {
        var request = new CreateKeyPairRequest { KeyName = keyName, KeyType = KeyType.Ed25519, TagSpecifications = TagSpecifications(tags, ResourceType.KeyPair) };
        return (await CallAsync("CreateKeyPair", token => ec2.CreateKeyPairAsync(request, token), cancellationToken).ConfigureAwait(false)).KeyPair.KeyMaterial;
    }

    public Task ImportKeyPairAsync(string keyName, string publicKey, IReadOnlyList<Ec2Tag> tags, CancellationToken cancellationToken)
    {
        var request = new ImportKeyPairRequest
        {
            KeyName = keyName,
            // A blob on the wire, which this SDK sends as given: base64, as the API wants it.
            PublicKeyMaterial = Convert.ToBase64String(Encoding.UTF8.GetBytes(publicKey)),
            TagSpecifications = TagSpecifications(tags, ResourceType.KeyPair),
        };
        return CallAsync("ImportKeyPair", token => ec2.ImportKeyPairAsync(request, token), cancellationToken);
    }

    public Task DeleteKeyPairAsync(string keyName, CancellationToken cancellationToken) =>
        CallAsync("DeleteKeyPair", token => ec2.DeleteKeyPairAsync(new DeleteKeyPairRequest { KeyName = keyName }, token), cancellationToken);

    public async Task<IReadOnlyList<Ec2Instance>> RunInstancesAsync(RunInstancesSpec spec, CancellationToken cancellationToken)
    {
        var request = new RunInstancesRequest
        {
            ImageId = spec.ImageId,
            InstanceType = InstanceType.FindValue(spec.InstanceType),
            MinCount = spec.MinCount ?? spec.Count,
            MaxCount = spec.Count,
            ClientToken = spec.ClientToken,
            KeyName = spec.KeyName,
            SecurityGroupIds = [spec.SecurityGroupId],
            InstanceInitiatedShutdownBehavior = ShutdownBehavior.Terminate,
            UserData = Convert.ToBase64String(Encoding.UTF8.GetBytes(spec.UserData)),
            TagSpecifications = TagSpecifications(spec.Tags, ResourceType.Instance, ResourceType.Volume),
            SubnetId = spec.SubnetId,
            // IMDSv2 only: a request for the role's credentials needs a token first, which a forwarded or
            // server-side-forged request cannot get (SSRF), and the token does not travel further than the hop limit.
            MetadataOptions = new InstanceMetadataOptionsRequest
            {
                HttpEndpoint = InstanceMetadataEndpointState.Enabled,
                HttpTokens = HttpTokensState.Required,
                HttpPutResponseHopLimit = spec.MetadataHopLimit,
            },
        };
        if (spec.InstanceProfile is { } profile)
        {
            request.IamInstanceProfile = profile.StartsWith("arn:", StringComparison.Ordinal)
                ? new IamInstanceProfileSpecification { Arn = profile }
                : new IamInstanceProfileSpecification { Name = profile };
        }

        if (spec.RootDeviceName is { } device)
        {
            // The root volume is always encrypted (with the account's default EBS key), whatever the image's snapshot is.
            var ebs = new EbsBlockDevice { Encrypted = true, DeleteOnTermination = true, VolumeSize = spec.VolumeSizeGiB ?? spec.ImageVolumeSizeGiB };
            if (spec.VolumeSizeGiB is not null)
            {
                ebs.VolumeType = VolumeType.Gp3;
            }

            request.BlockDeviceMappings = [new BlockDeviceMapping { DeviceName = device, Ebs = ebs }];
        }

        if (spec.Spot)
        {
            request.InstanceMarketOptions = new InstanceMarketOptionsRequest
            {
                MarketType = MarketType.Spot,
                SpotOptions = new SpotMarketOptions { SpotInstanceType = SpotInstanceType.OneTime, InstanceInterruptionBehavior = InstanceInterruptionBehavior.Terminate },
            };
        }

        var response = await CallAsync("RunInstances", token => ec2.RunInstancesAsync(request, token), cancellationToken).ConfigureAwait(false);
        return (response.Reservation?.Instances ?? []).Select(ToInstance).ToList();
    }

    public async Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IReadOnlyList<Ec2Filter> filters, CancellationToken cancellationToken) =>
        await AllPagesAsync(
            "DescribeInstances",
            from => ec2.Paginators.DescribeInstances(new DescribeInstancesRequest { Filters = Filters(filters), MaxResults = pageSize, NextToken = from }).Responses,
            page => page.NextToken,
            page => (page.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(ToInstance),
            cancellationToken).ConfigureAwait(false);

    public async Task TerminateInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        foreach (var chunk in instanceIds.Chunk(IdsPerCall))
        {
            await CallAsync("TerminateInstances", token => ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [.. chunk] }, token), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyDictionary<string, int>> DescribeVcpusAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken)
    {
        var vcpus = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var chunk in instanceTypes.Distinct(StringComparer.Ordinal).Chunk(TypesPerCall))
        {
            var types = await AllPagesAsync(
                "DescribeInstanceTypes",
                from => ec2.Paginators.DescribeInstanceTypes(new DescribeInstanceTypesRequest { InstanceTypes = [.. chunk], NextToken = from }).Responses,
                page => page.NextToken,
                page => page.InstanceTypes ?? [],
                cancellationToken).ConfigureAwait(false);
            foreach (var type in types.Where(t => t.InstanceType is not null && t.VCpuInfo?.DefaultVCpus is not null))
            {
                vcpus[type.InstanceType.Value] = type.VCpuInfo.DefaultVCpus!.Value;
            }
        }

        return vcpus;
    }

    public void Dispose() => ec2.Dispose();

    private async Task<T> CallAsync<T>(string action, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        await retry.ExecuteAsync(async token =>
        {
            var clock = Stopwatch.StartNew();
            var response = await call(token).ConfigureAwait(false);
            LogCall(log, action, clock.ElapsedMilliseconds);
            return response;
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Every item of every page. A page that fails is retried from its own token, not from the first page: each
    /// attempt starts a new paginator where the last one stopped.
    /// </summary>
    private async Task<IReadOnlyList<TItem>> AllPagesAsync<TPage, TItem>(
        string action,
        Func<string?, IPaginatedEnumerable<TPage>> pagesFrom,
        Func<TPage, string?> nextToken,
        Func<TPage, IEnumerable<TItem>> items,
        CancellationToken cancellationToken)
    {
        var all = new List<TItem>();
        string? resumeFrom = null;
        await retry.ExecuteAsync(async token =>
        {
            var clock = Stopwatch.StartNew();
            await foreach (var page in pagesFrom(resumeFrom).WithCancellation(token).ConfigureAwait(false))
            {
                all.AddRange(items(page));
                resumeFrom = nextToken(page);
                LogCall(log, action, clock.ElapsedMilliseconds);
                clock.Restart();
            }
        }, cancellationToken).ConfigureAwait(false);
        return all;
    }

    private static List<Filter> Filters(IEnumerable<Ec2Filter> filters) =>
        filters.Select(f => new Filter { Name = f.Name, Values = [.. f.Values] }).ToList();

    private static List<TagSpecification>? TagSpecifications(IReadOnlyList<Ec2Tag> tags, params ResourceType[] resourceTypes) =>
        tags.Count == 0
            ? null
            : resourceTypes.Select(type => new TagSpecification { ResourceType = type, Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList() }).ToList();

    private static IpPermission Permission(Ec2IngressRule rule)
    {
        var permission = new IpPermission { IpProtocol = rule.Protocol, FromPort = rule.FromPort, ToPort = rule.ToPort };
        if (rule.IsIpv6)
        {
            permission.Ipv6Ranges = [new Ipv6Range { CidrIpv6 = rule.Cidr, Description = rule.Description }];
        }
        else
        {
            permission.Ipv4Ranges = [new IpRange { CidrIp = rule.Cidr, Description = rule.Description }];
        }

        return permission;
    }

    private static IEnumerable<Ec2IngressRule> IngressRules(IpPermission permission)
    {
        var protocol = permission.IpProtocol ?? "";
        var from = permission.FromPort ?? -1;
        var to = permission.ToPort ?? -1;
        return (permission.Ipv4Ranges ?? []).Where(r => r.CidrIp is not null).Select(r => new Ec2IngressRule(protocol, from, to, r.CidrIp, r.Description))
            .Concat((permission.Ipv6Ranges ?? []).Where(r => r.CidrIpv6 is not null).Select(r => new Ec2IngressRule(protocol, from, to, r.CidrIpv6, r.Description)));
    }

    private static Dictionary<string, string> Tags(IEnumerable<Tag>? tags) =>
        (tags ?? [])
            .Where(t => t.Key is not null)
            .GroupBy(t => t.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Value ?? "", StringComparer.Ordinal);

    private static Ec2Instance ToInstance(Instance i) => new(
        i.InstanceId,
        i.InstanceType?.Value ?? "",
        i.State?.Name?.Value ?? "pending",
        i.PublicIpAddress,
        i.PrivateIpAddress,
        i.LaunchTime is { } launched ? new DateTimeOffset(launched.Kind == DateTimeKind.Local ? launched.ToUniversalTime() : DateTime.SpecifyKind(launched, DateTimeKind.Utc)) : DateTimeOffset.MinValue,
        i.AmiLaunchIndex ?? 0,
        i.InstanceLifecycle?.Value,
        Tags(i.Tags));

    // Requests are not logged: they may carry key material (ImportKeyPair) or user data.
    [LoggerMessage(Level = LogLevel.Debug, Message = "EC2 {Action}: answered in {Milliseconds} ms")]
    private static partial void LogCall(ILogger logger, string action, long milliseconds);
}
