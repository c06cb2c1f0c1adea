using System.Text;
using AwsRunner.Core;
using AwsRunner.Core.Jobs;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Jobs;

public sealed class JobFileTests
{
    private static JobFile Parse(string text) => JobFile.Parse(new StringReader(text), "jobs.csv");

    private static string Problem(string text) =>
        Assert.Throws<InvalidInputException>(() => Parse(text))!.Message;

    [Test]
    public void Parse_HeaderInAnyOrderAndCase_ReadsEveryRow()
    {
        var file = Parse("Command,INSTANCE_TYPE\necho one,c5.large\necho two,t3.micro\n");

        Assert.That(file.Rows.Select(r => (r.Index, r.Line, r.InstanceType, r.Command)), Is.EqualTo(new[]
        {
            (0, 2, "c5.large", "echo one"),
            (1, 3, "t3.micro", "echo two"),
        }));
    }

    [Test]
    public void Parse_ExtraColumns_BecomeVariablesInHeaderOrder()
    {
        var file = Parse("instance_type,seed,command,learning_rate\nc5.large,7,python train.py,0.01\n");

        Assert.That(file.VariableNames, Is.EqualTo(new[] { "seed", "learning_rate" }));
        Assert.That(file.Rows[0].Variables, Is.EqualTo(new[] { KeyValuePair.Create("seed", "7"), KeyValuePair.Create("learning_rate", "0.01") }));
    }

    [Test]
    public void Parse_QuotedFieldsWithCommaQuoteAndNewline_KeepTheCommandExactly()
    {
        var file = Parse("instance_type,command\nc5.large,\"echo \"\"a, b\"\"\nprintf '%s' \"\"$x\"\"\"\nc5.large,true\n");

        Assert.That(file.Rows[0].Command, Is.EqualTo("echo \"a, b\"\nprintf '%s' \"$x\""));
        Assert.That(file.Rows[1].Line, Is.EqualTo(4), "the second row starts after the two-line field");
    }

    [Test]
    public void Parse_CrlfLineEndsAndBlankTrailingLines_AreAccepted()
    {
        var file = Parse("instance_type,command\r\nc5.large,echo a\r\nc5.large,echo b\r\n\r\n\r\n");

        Assert.That(file.Rows.Select(r => r.Command), Is.EqualTo(new[] { "echo a", "echo b" }));
    }

    [Test]
    public void Load_Utf8ByteOrderMark_IsNotPartOfTheFirstColumnName()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("jobs.csv");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("instance_type,command\nc5.large,echo é\n")]);

        var file = JobFile.Load(path);

        Assert.That(file.Rows[0].InstanceType, Is.EqualTo("c5.large"));
        Assert.That(file.Rows[0].Command, Is.EqualTo("echo é"));
    }

    [Test]
    public void Load_MissingFile_SaysNotFound()
    {
        var error = Assert.Throws<InvalidInputException>(() => JobFile.Load("/nonexistent/jobs.csv"))!;

        Assert.That(error.Message, Is.EqualTo("/nonexistent/jobs.csv: job file not found"));
    }

    [Test]
    public void Parse_100000Rows_IsQuick()
    {
        var text = new StringBuilder("instance_type,command,seed\n");
        for (var i = 0; i < 100_000; i++)
        {
            text.Append("c5.large,python run.py,").Append(i).Append('\n');
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var file = Parse(text.ToString());

        Assert.That(file.Rows, Has.Count.EqualTo(100_000));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [TestCase("", "jobs.csv:1: the file is empty; it needs a header row naming instance_type and command", TestName = "Parse_EmptyFile_FailsOnLine1")]
    [TestCase("\n\n", "jobs.csv:1: the file is empty; it needs a header row naming instance_type and command", TestName = "Parse_OnlyBlankLines_FailsAsEmpty")]
    [TestCase("c5.large,echo hi\n", "jobs.csv:1: line 1 looks like a job, not a header: the first row must name the columns, e.g. instance_type,command", TestName = "Parse_NoHeader_FailsOnLine1")]
    [TestCase("instance_type,cmd\nc5.large,x\n", "jobs.csv:1: missing required column command (the header has: instance_type,cmd)", TestName = "Parse_MissingCommandColumn_FailsOnHeader")]
    [TestCase("command\nx\n", "jobs.csv:1: missing required column instance_type (the header has: command)", TestName = "Parse_MissingInstanceTypeColumn_FailsOnHeader")]
    [TestCase("instance_type,command,seed,Seed\nc5.large,x,1,2\n", "jobs.csv:1: column 4 (Seed): duplicate column (also column 3)", TestName = "Parse_DuplicateColumn_FailsWithBothColumns")]
    [TestCase("instance_type,command,Command\nc5.large,x,y\n", "jobs.csv:1: column 3 (Command): duplicate column (also column 2)", TestName = "Parse_RequiredColumnTwiceInAnotherCase_FailsAsDuplicate")]
    [TestCase("instance_type,command,my-var\nc5.large,x,1\n", "jobs.csv:1: column 3 (my-var): not a valid shell variable name (letters, digits and _, not starting with a digit); extra columns become environment variables", TestName = "Parse_HeaderNotAShellIdentifier_Fails")]
    [TestCase("instance_type,command,2x\nc5.large,x,1\n", "jobs.csv:1: column 3 (2x): not a valid shell variable name (letters, digits and _, not starting with a digit); extra columns become environment variables", TestName = "Parse_HeaderStartingWithDigit_Fails")]
    [TestCase("instance_type,command,\nc5.large,x,1\n", "jobs.csv:1: column 3: empty column name; every extra column names a variable", TestName = "Parse_EmptyHeaderName_Fails")]
    [TestCase("instance_type,command,AWSRUNNER_INDEX\nc5.large,x,1\n", "jobs.csv:1: column 3 (AWSRUNNER_INDEX): names starting with AWSRUNNER_ are reserved for awsrunner", TestName = "Parse_ReservedVariableName_Fails")]
    [TestCase("instance_type,command\n", "jobs.csv:2: the file has a header but no jobs", TestName = "Parse_HeaderOnly_FailsForNoJobs")]
    [TestCase("instance_type,command\nc5.large,echo a\nc5.large,echo b,extra\n", "jobs.csv:3: column 3: the row has 3 fields but the header has 2", TestName = "Parse_RowWithMoreFieldsThanHeader_FailsWithLineAndColumn")]
    [TestCase("instance_type,command,seed\nc5.large,echo a\n", "jobs.csv:2: column 3: the row has 2 fields but the header has 3", TestName = "Parse_RowWithFewerFieldsThanHeader_FailsWithLineAndColumn")]
    [TestCase("instance_type,command\n,echo a\n", "jobs.csv:2: column 1 (instance_type): empty instance type", TestName = "Parse_EmptyInstanceType_FailsWithLineAndColumn")]
    [TestCase("command,instance_type\n  ,c5.large\n", "jobs.csv:2: column 1 (command): empty command", TestName = "Parse_BlankCommand_FailsWithLineAndColumn")]
    [TestCase("instance_type,command,seed\nc5.large,echo a,0\nc5.large,echo b,1\0 2\n", "jobs.csv:3: column 3: the field holds a NUL character, which no command or environment variable can", TestName = "Parse_NulInAVariable_FailsWithLineAndColumn")]
    [TestCase("instance_type,command\nc5.large,echo a\0b\n", "jobs.csv:2: column 2: the field holds a NUL character, which no command or environment variable can", TestName = "Parse_NulInACommand_FailsWithLineAndColumn")]
    [TestCase("instance_type,command\nc5.large,a\nm5,b\n", "jobs.csv:3: column 1 (instance_type): instance type \"m5\" is not of the form family.size (e.g. c5.large)", TestName = "Parse_InstanceTypeWithoutSize_Fails")]
    [TestCase("instance_type,command\nC5.Large,a\n", "jobs.csv:2: column 1 (instance_type): instance type \"C5.Large\" is not of the form family.size (e.g. c5.large)", TestName = "Parse_InstanceTypeInCapitals_Fails")]
    [TestCase("instance_type,command\nc5.large,echo \"a\"b\"\n", "jobs.csv:2: malformed CSV near \"c5.large,echo \"a\"b\"\" (a quote inside an unquoted field?)", TestName = "Parse_QuoteInsideUnquotedField_FailsAsMalformed")]
    public void Parse_BadInput_FailsWithFileLineAndColumn(string text, string message)
    {
        Assert.That(Problem(text), Is.EqualTo(message));
    }

    [TestCase("PATH", "it says where every command of the job is found and loaded from")]
    [TestCase("LD_PRELOAD", "it says where every command of the job is found and loaded from")]
    [TestCase("LD_LIBRARY_PATH", "it says where every command of the job is found and loaded from")]
    [TestCase("HOME", "the shell and the tools it calls find their home, user and folder by it")]
    [TestCase("USER", "the shell and the tools it calls find their home, user and folder by it")]
    [TestCase("PWD", "the shell and the tools it calls find their home, user and folder by it")]
    [TestCase("SHELL", "the shell and the tools it calls find their home, user and folder by it")]
    [TestCase("BASH_ENV", "bash reads it as it starts, before the job's command")]
    [TestCase("BASH_XTRACEFD", "bash reads it as it starts, before the job's command")]
    [TestCase("ENV", "bash reads it as it starts, before the job's command")]
    [TestCase("SHELLOPTS", "bash reads it as it starts, before the job's command")]
    [TestCase("IFS", "it changes how bash reads every command of the job")]
    [TestCase("CDPATH", "it changes how bash reads every command of the job")]
    [TestCase("PS4", "it changes how bash reads every command of the job")]
    [TestCase("UID", "bash sets it itself, so the job would never see the row's value")]
    [TestCase("RANDOM", "bash sets it itself, so the job would never see the row's value")]
    public void Parse_ColumnNamedAfterAVariableOfTheShell_IsRefusedWithItsColumn(string name, string why)
    {
        Assert.That(Problem($"instance_type,command,seed,{name}\nc5.large,x,1,2\n"), Is.EqualTo(
            $"jobs.csv:1: column 4 ({name}): {name} belongs to the node's shell: {why}; give the column another name (names are case-sensitive: {name.ToLowerInvariant()} is fine)"));
    }

    [TestCase("OMP_NUM_THREADS")]
    [TestCase("CUDA_VISIBLE_DEVICES")]
    [TestCase("TMPDIR")]
    [TestCase("TERM")]
    [TestCase("LC_ALL")]
    [TestCase("path")]
    [TestCase("home")]
    [TestCase("base")]
    [TestCase("code")]
    [TestCase("self")]
    [TestCase("state")]
    [TestCase("rc")]
    [TestCase("LDFLAGS")]
    [TestCase("BASHFUL")]
    public void Parse_ColumnTheShellDoesNotOwn_IsAnOrdinaryVariable(string name)
    {
        var file = Parse($"instance_type,command,{name}\nc5.large,x,1\n");

        Assert.That(file.Rows[0].Variables, Is.EqualTo(new[] { KeyValuePair.Create(name, "1") }));
    }

    [TestCase("u-6tb1.metal")]
    [TestCase("m7i-flex.large")]
    [TestCase("t3.2xlarge")]
    [TestCase("p4d.24xlarge")]
    public void Parse_RealInstanceTypeShapes_AreAccepted(string type)
    {
        Assert.That(Parse($"instance_type,command\n{type},x\n").Rows[0].InstanceType, Is.EqualTo(type));
    }
}
