using GradCamSharp.Fuzz;
using SharpFuzz;

// gradcam-fuzz TARGET            run under afl-fuzz (see fuzz/run)
// gradcam-fuzz TARGET FILE...    run each file once and report what escaped (crash triage, regression inputs)
// gradcam-fuzz seeds DIR REPO    write the starting corpora
if (args is ["seeds", string corpus, string repository])
{
    Console.WriteLine($"wrote {Seeds.Write(corpus, repository)} seed files to {corpus}");
    return 0;
}
if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: gradcam-fuzz {string.Join("|", FuzzTargets.Names)} [FILE...] | seeds DIR REPO");
    return 2;
}
string target = args[0];
if (args.Length > 1)
{
    int failures = 0;
    foreach (string file in args.Skip(1))
    {
        try
        {
            FuzzTargets.Run(target, File.ReadAllBytes(file));
            Console.WriteLine($"ok: {file}");
        }
        catch (Exception exception)
        {
            failures++;
            Console.WriteLine($"FAILED: {file}: {exception.GetType().Name}: {exception.Message}");
            foreach (string frame in (exception.StackTrace ?? "").Split('\n').Take(4)) Console.WriteLine(frame);
        }
    }
    return failures == 0 ? 0 : 1;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    FuzzTargets.Run(target, buffer.ToArray());
});
return 0;
