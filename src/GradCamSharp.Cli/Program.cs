using GradCamSharp.Cli;

using var interruption = new Interruption(Console.Error);
return GradCamCli.Run(args, Console.Out, Console.Error, interruption.Token);
