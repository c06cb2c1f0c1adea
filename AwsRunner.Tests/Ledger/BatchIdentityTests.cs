using AwsRunner.Core;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Ledger;

/// <summary>A re-run is of the same batch, or refused before anything is created.</summary>
public sealed class BatchIdentityTests
{
    private const string Jobs = "instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\nc5.large,python run.py,2,0.2\n";

    [Test]
    public void Check_SameFileAndSettings_Passes()
    {
        Assert.DoesNotThrow(() => BatchIdentity.Check(TestLedgers.Of("sweep", Jobs), TestLedgers.Plan("sweep", Jobs), TestLedgers.Settings()));
    }

    [TestCase("instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\nc5.large,python run.py,2,0.3\n",
        "jobs.csv:3: column 4 (rate): \"0.3\" differs from \"0.2\", the value batch \"sweep\" was created with; give the new jobs a new NAME, or restore the file",
        TestName = "Check_ChangedVariable_NamesRowAndColumn")]
    [TestCase("seed,instance_type,rate,command\n1,c5.large,0.1,python run.py\n2,c5.large,0.2,python other.py\n",
        "jobs.csv:3: column 4 (command): \"python other.py\" differs from \"python run.py\", the value batch \"sweep\" was created with",
        TestName = "Check_ChangedCommand_NamesRowAndColumn")]
    [TestCase("instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\nm5.large,python run.py,2,0.2\n",
        "jobs.csv:3: column 1 (instance_type): \"m5.large\" differs from \"c5.large\"",
        TestName = "Check_ChangedInstanceType_NamesRowAndColumn")]
    [TestCase("instance_type,command,seed,rate,extra\nc5.large,python run.py,1,0.1,x\nc5.large,python run.py,2,0.2,y\n",
        "jobs.csv:1: column 5 (extra): a column batch \"sweep\" does not have",
        TestName = "Check_AddedColumn_NamesIt")]
    [TestCase("instance_type,command,seed\nc5.large,python run.py,1\nc5.large,python run.py,2\n",
        "jobs.csv:1: column rate of batch \"sweep\" is missing",
        TestName = "Check_RemovedColumn_NamesIt")]
    [TestCase("instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\nc5.large,python run.py,2,0.2\nc5.large,python run.py,3,0.3\n",
        "jobs.csv:4: a job batch \"sweep\" does not have (it has 2)",
        TestName = "Check_AddedRow_NamesIt")]
    [TestCase("instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\n",
        "jobs.csv:2: the file ends after 1 jobs, batch \"sweep\" has 2",
        TestName = "Check_RemovedRow_SaysSo")]
    public void Check_ChangedJobFile_IsRefusedNamingWhere(string jobs, string message)
    {
        var error = Assert.Throws<InvalidInputException>(() => BatchIdentity.Check(TestLedgers.Of("sweep", Jobs), TestLedgers.Plan("sweep", jobs), null))!;

        Assert.That(error.Message, Does.StartWith(message));
    }

    [Test]
    public void Check_AnotherMaxHoursGiven_IsRefused()
    {
        var plan = TestLedgers.Plan("sweep", Jobs, new DispatchOptions { ImageId = "ami-12345678", Name = "sweep", JobFile = "jobs.csv", MaxHours = 24 });

        var error = Assert.Throws<InvalidInputException>(() => BatchIdentity.Check(TestLedgers.Of("sweep", Jobs, settings: TestLedgers.Settings(maxHours: 72)), plan, null))!;

        Assert.That(error.Message, Is.EqualTo("DispatchOptions.MaxHours 24: batch \"sweep\" was created with DispatchOptions.MaxHours 72, which its nodes keep; leave DispatchOptions.MaxHours out, or give the new jobs a new NAME"));
    }

    [Test]
    public void Check_NoMaxHoursOrHeartbeatGiven_TakesTheBatchs()
    {
        Assert.DoesNotThrow(() => BatchIdentity.Check(
            TestLedgers.Of("sweep", Jobs, settings: TestLedgers.Settings(maxHours: 72, heartbeatSeconds: 5)), TestLedgers.Plan("sweep", Jobs), null));
    }

    [Test]
    public void Check_CodeChangedSinceCreation_IsRefusedNamingTheFolder()
    {
        var error = Assert.Throws<InvalidInputException>(() => BatchIdentity.Check(
            TestLedgers.Of("sweep", Jobs), TestLedgers.Plan("sweep", Jobs), TestLedgers.Settings(bundle: new string('f', 64))))!;

        Assert.That(error.Message, Does.StartWith("/code: the code folder or INSTALL.sh is not what batch \"sweep\" was created with"));
    }
}
