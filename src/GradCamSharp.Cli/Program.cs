using GradCamSharp;
using GradCamSharp.Cli;

// The process's own choice of heap policy (see NativeHeap): reuse freed blocks instead of faulting pages in again.
NativeHeap.KeepFreedBlocks();
using var interruption = new Interruption(Console.Error);
return GradCamCli.Run(args, Console.Out, Console.Error, interruption.Token);
