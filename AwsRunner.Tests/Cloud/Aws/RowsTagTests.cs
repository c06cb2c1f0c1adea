using AwsRunner.Core.Cloud.Aws;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

[TestFixture]
public sealed class RowsTagTests
{
    [TestCase(new[] { 7 }, "7")]
    [TestCase(new[] { 0, 1, 2, 3 }, "0-3")]
    [TestCase(new[] { 0, 2, 3, 9, 10, 11, 40 }, "0,2-3,9-11,40")]
    public void Encode_WritesRanges_AndDecodeReadsThemBack(int[] rows, string tag)
    {
        Assert.Multiple(() =>
        {
            Assert.That(RowsTag.Encode(rows), Is.EqualTo(tag));
            Assert.That(RowsTag.Decode(tag), Is.EqualTo(rows));
        });
    }

    [TestCase("")]
    [TestCase("x")]
    [TestCase("3-1")]
    [TestCase("1-2-3")]
    [TestCase("-1")]
    public void Decode_SomethingAwsrunnerDidNotWrite_IsNull(string tag) =>
        Assert.That(RowsTag.Decode(tag), Is.Null);

    [Test]
    public void Split_RowsOfOneTypeThatFitOneTag_IsOneCall() =>
        Assert.That(RowsTag.Split(Enumerable.Range(0, 5000)).Count(), Is.EqualTo(1));

    [Test]
    public void Split_ScatteredRowsTooManyForOneTag_AreSplitIntoAsFewCallsAsFit()
    {
        var rows = Enumerable.Range(0, 300).Select(i => 1000 + (2 * i)).ToList();

        var calls = RowsTag.Split(rows).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(calls.SelectMany(c => c), Is.EqualTo(rows), "every row once, in order");
            Assert.That(calls.Select(c => RowsTag.Encode(c).Length), Is.All.LessThanOrEqualTo(RowsTag.MaxLength));
            Assert.That(calls, Has.Count.EqualTo((int)Math.Ceiling(300 * 5.0 / (RowsTag.MaxLength + 1))), "five characters a row");
        });
    }
}
