using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Dispatch;

/// <summary>The one table of states: what each state's word is and what it means for a wait.</summary>
public sealed class JobStatesTests
{
    [Test]
    public void Words_OnePerState_AndEachReadsBack()
    {
        var words = Enum.GetValues<JobState>().Select(s => s.ToName()).ToList();

        Assert.That(words, Is.Unique);
        Assert.That(words.Select(w => JobStates.TryParse(w, out var s) ? s : (JobState?)null), Is.EqualTo(Enum.GetValues<JobState>().Cast<JobState?>()));
    }

    [TestCase(JobState.Preempted, null, true)]
    [TestCase(JobState.Lost, null, true)]
    [TestCase(JobState.Hung, null, true)]
    [TestCase(JobState.Failed, 75, true)]
    [TestCase(JobState.Failed, 1, false)]
    [TestCase(JobState.Done, 0, false)]
    [TestCase(JobState.InstallFailed, 3, false)]
    [TestCase(JobState.Running, null, false)]
    [TestCase(JobState.TakenDown, null, false)]
    public void IsRetryable_ThePreemptedLostAndHung_AndAFailureOnlyForAnExitCodeAskedFor(JobState state, int? exitCode, bool retryable)
    {
        Assert.That(state.IsRetryable(exitCode, [75]), Is.EqualTo(retryable));
    }

    [Test]
    public void UploadFailed_IsNotFinal_WhileItsNodeKeepsTrying()
    {
        Assert.That((JobState.UploadFailed.IsFinal(), JobState.UploadFailed.IsStarted()), Is.EqualTo((false, true)));
    }

    [Test]
    public void FromRunner_AWordTheRunnerDoesNotWrite_ReadsAsStarting()
    {
        Assert.That((JobStates.FromRunner("running"), JobStates.FromRunner("lost"), JobStates.FromRunner("exploding")),
            Is.EqualTo((JobState.Running, JobState.Starting, JobState.Starting)));
    }
}
