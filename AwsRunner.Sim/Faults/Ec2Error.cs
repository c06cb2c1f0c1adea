using System.Net;

namespace AwsRunner.Sim.Faults;

/// <summary>An error EC2 answers with: its HTTP status and the code and message of its error XML.</summary>
internal sealed record Ec2Error(HttpStatusCode Status, string Code, string Message);
