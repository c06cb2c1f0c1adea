namespace AwsRunner.Tests.Support;

/// <summary>One HTTP call made to AWS: its EC2 action (or S3 method and path) and its form parameters.</summary>
internal sealed record RecordedRequest(string Action, IReadOnlyDictionary<string, string> Form, IReadOnlyDictionary<string, string> Headers)
{
    public string this[string parameter] => Form[parameter];
}
