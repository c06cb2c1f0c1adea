// Most tests wait on processes (node runners, the CLI, sshd), so fixtures run two at a time; the ones that share
// a moto_server or change this process's environment say [NonParallelizable].
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
