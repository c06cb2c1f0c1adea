namespace AwsRunner.Bench.Infrastructure;

/// <summary>What one HTTP request to AWS was.</summary>
/// <param name="Service">The service its signature is scoped to: <c>ec2</c> or <c>s3</c>.</param>
/// <param name="Operation">The API operation: the Query <c>Action</c> for EC2, or what S3's method, path and query make it (<c>GetObject</c>, <c>ListObjectsV2</c>, ...).</param>
/// <param name="Method">The HTTP method.</param>
internal sealed record AwsRequest(string Service, string Operation, string Method);
