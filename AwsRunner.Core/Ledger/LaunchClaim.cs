namespace AwsRunner.Core.Ledger;

/// <summary>
/// A dispatcher's claim on launching an attempt's node: recorded before the launch, so that two dispatchers never launch
/// twins. A claim that has had no node for longer than a boot may be taken over: its dispatcher stopped. So may one of a
/// process of this machine that is gone (a dispatch killed mid-launch, run again): at once.
/// </summary>
/// <param name="By">The dispatcher: one id per process.</param>
/// <param name="At">When, on the bucket's clock.</param>
/// <param name="Host">The machine it ran on.</param>
/// <param name="Process">Its process id there.</param>
internal sealed record LaunchClaim(string By, DateTimeOffset At, string? Host = null, int? Process = null);
