namespace AwsRunner.Tests.Support;

/// <summary>One HTTP call made to AWS: its EC2 action (or S3 method, path and query), its form parameters and body.</summary>
internal sealed record RecordedRequest(string Action, IReadOnlyDictionary<string, string> Form, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string this[string parameter] => Form[parameter];
}
