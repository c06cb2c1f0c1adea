using Amazon.EC2;
using AwsRunner.Core.Cloud.Aws.Ec2;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// The batch's security group, named after the batch, in the default VPC or the <c>--subnet</c>'s: inbound SSH
/// (tcp/22) from the <see cref="SshSource"/> only; outbound as EC2's default (all), which the nodes' uploads need.
/// A re-run from another address replaces awsrunner's SSH rule (known by its description) instead of adding one more,
/// so the addresses a laptop had over the weeks do not pile up; rules someone else added are left alone.
/// </summary>
internal sealed partial class BatchSecurityGroup(IEc2Api ec2, SshSource source, string? subnetId, AwsTuning tuning, TimeProvider time, ILogger logger)
{
    private const string SshRuleDescription = "awsrunner: SSH to the nodes";

    private readonly ResiliencePipeline untilReleased = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            // Terminated instances release their network interfaces, and with them the group, a little later.
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is AmazonEC2Exception { ErrorCode: "DependencyViolation" }),
            MaxRetryAttempts = (int)Math.Max(1, tuning.GroupReleaseTimeout / tuning.PollInterval),
            Delay = tuning.PollInterval,
            BackoffType = DelayBackoffType.Constant,
        })
        .Build();

    public static Ec2IngressRule Ssh(string cidr) => new("tcp", 22, 22, cidr, SshRuleDescription);

    public async Task<string> PrepareAsync(string batch, CancellationToken cancellationToken)
    {
        var cidr = await source.ResolveAsync(cancellationToken).ConfigureAwait(false);
        var vpc = await ResolveVpcAsync(cancellationToken).ConfigureAwait(false);
        var group = await FindAsync(batch, vpc, cancellationToken).ConfigureAwait(false);
        if (group is null)
        {
            try
            {
                var id = await ec2.CreateSecurityGroupAsync(batch, $"awsrunner batch {batch}: SSH from {cidr}", vpc, AwsTags.Of(batch), cancellationToken)
                    .ConfigureAwait(false);
                LogCreated(logger, id, batch, vpc);
            }
            catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidGroup.Duplicate")
            {
                // Created by a concurrent or retried call: use that one.
            }

            group = await FindAsync(batch, vpc, cancellationToken).ConfigureAwait(false)
                ?? throw new CloudException("InvalidGroup.NotFound", $"find security group {batch}", "the group just created is not there");
        }

        var wanted = Ssh(cidr);
        if (!group.Ingress.Any(r => r.SameAccessAs(wanted)))
        {
            try
            {
                await ec2.AuthorizeIngressAsync(group.GroupId, wanted, cancellationToken).ConfigureAwait(false);
                LogOpened(logger, group.GroupId, cidr);
            }
            catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidPermission.Duplicate")
            {
                // Already allowed.
            }
        }

        // Only once the new rule is in: a failed authorize leaves the group as it was.
        foreach (var old in group.Ingress.Where(r => r.Description == SshRuleDescription && !r.SameAccessAs(wanted)))
        {
            try
            {
                await ec2.RevokeIngressAsync(group.GroupId, old, cancellationToken).ConfigureAwait(false);
                LogClosed(logger, group.GroupId, old.Cidr, cidr);
            }
            catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidPermission.NotFound")
            {
                // Revoked meanwhile by a concurrent run.
            }
        }

        return group.GroupId;
    }

    /// <summary>The group's id for launching; it must have been prepared.</summary>
    public async Task<string> RequireAsync(string batch, CancellationToken cancellationToken)
    {
        var vpc = await ResolveVpcAsync(cancellationToken).ConfigureAwait(false);
        return (await FindAsync(batch, vpc, cancellationToken).ConfigureAwait(false))?.GroupId
            ?? throw new CloudException("InvalidGroup.NotFound", $"find security group {batch} in {vpc}",
                "the batch's security group does not exist", hint: "run the dispatch with DispatchOptions.Create, which creates it");
    }

    public async Task RemoveAsync(string batch, CancellationToken cancellationToken)
    {
        var groups = await ec2.DescribeSecurityGroupsAsync([new Ec2Filter("group-name", batch), AwsTags.Filter(batch)], cancellationToken)
            .ConfigureAwait(false);
        foreach (var group in groups)
        {
            await untilReleased.ExecuteAsync(
                async token => await ec2.DeleteSecurityGroupAsync(group.GroupId, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            LogDeleted(logger, group.GroupId, batch);
        }
    }

    private async Task<string> ResolveVpcAsync(CancellationToken cancellationToken) =>
        subnetId is not null
            ? await ec2.DescribeSubnetVpcAsync(subnetId, cancellationToken).ConfigureAwait(false)
            : await ec2.FindDefaultVpcAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidInputException("Vpc", "the region has no default VPC: give a subnet to launch into with AwsCloudOptions.SubnetId");

    private async Task<Ec2SecurityGroup?> FindAsync(string batch, string vpc, CancellationToken cancellationToken)
    {
        var group = await ec2.DescribeSecurityGroupsAsync([new Ec2Filter("group-name", batch), new Ec2Filter("vpc-id", vpc)], cancellationToken)
            .ConfigureAwait(false) is [var first, ..] ? first : null;
        return group is null || AwsTags.IsOf(group.Tags, batch)
            ? group
            : throw new CloudException("SecurityGroupExists", $"create security group {batch}",
                $"a security group of that name exists in {vpc} and awsrunner did not create it",
                hint: "choose another NAME for the batch, or delete that security group if it is not needed");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created security group {Group} for batch {Batch} in {Vpc}")]
    private static partial void LogCreated(ILogger logger, string group, string batch, string vpc);

    [LoggerMessage(Level = LogLevel.Information, Message = "Security group {Group} lets in SSH from {Cidr}")]
    private static partial void LogOpened(ILogger logger, string group, string cidr);

    [LoggerMessage(Level = LogLevel.Information, Message = "Security group {Group} no longer lets in SSH from {Old}: replaced by {Cidr}")]
    private static partial void LogClosed(ILogger logger, string group, string old, string cidr);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted security group {Group} of batch {Batch}")]
    private static partial void LogDeleted(ILogger logger, string group, string batch);
}
