using GradCamSharp.Cli;

return GradCamCli.Run(args, Console.Out, Console.Error);
