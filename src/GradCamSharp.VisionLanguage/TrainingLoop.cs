using System.Diagnostics;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// The supervised loop the models trained on the seeded worlds share: AdamW with a one-cycle schedule, the examples
/// shuffled by the seed each epoch, a held-out measure and a progress line after every epoch. Reproducible: the same
/// seed, data and model give the same weights.
/// </summary>
internal static class TrainingLoop
{
    /// <summary>Trains <paramref name="model"/> on <paramref name="inputs"/> and <paramref name="labels"/>.</summary>
    /// <param name="model">The model, freshly initialised from the seed.</param>
    /// <param name="inputs">[N, ...] examples.</param>
    /// <param name="labels">[N, ...] their labels.</param>
    /// <param name="settings">Batch size, epochs, learning rate, weight decay and seed.</param>
    /// <param name="lossOf">The loss of a batch's output against its labels.</param>
    /// <param name="heldOut">The held-out measure after an epoch.</param>
    /// <param name="describe">How a held-out measure reads in the progress line.</param>
    /// <param name="clock">The training's clock, started before the data were drawn.</param>
    /// <param name="progress">Receives a line per epoch.</param>
    /// <param name="cancellation">Stops between steps.</param>
    /// <returns>Per epoch: the mean loss, the held-out measure and the seconds since <paramref name="clock"/> began.
    /// </returns>
    public static List<EpochReport> Run(Module<Tensor, Tensor> model, Tensor inputs, Tensor labels,
        TrainingSettings settings, Func<Tensor, Tensor, Tensor> lossOf, Func<double> heldOut,
        Func<double, string> describe, Stopwatch clock, IProgress<string>? progress, CancellationToken cancellation)
    {
        int count = (int)inputs.shape[0];
        int stepsPerEpoch = (int)Math.Ceiling(count / (double)settings.BatchSize);
        using var optimizer = optim.AdamW(model.parameters(), settings.LearningRate,
            weight_decay: settings.WeightDecay);
        var schedule = optim.lr_scheduler.OneCycleLR(optimizer, settings.LearningRate,
            total_steps: stepsPerEpoch * settings.Epochs);
        var order = new Random(settings.Seed);
        var reports = new List<EpochReport>();
        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            model.train();
            long[] shuffled = [.. Enumerable.Range(0, count).Select(i => (long)i).OrderBy(_ => order.Next())];
            double lossSum = 0;
            for (int start = 0; start < shuffled.Length; start += settings.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                using var step = NewDisposeScope();
                Tensor batch = tensor(shuffled[start..Math.Min(shuffled.Length, start + settings.BatchSize)]);
                Tensor loss = lossOf(model.call(inputs.index_select(0, batch)), labels.index_select(0, batch));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                schedule.step();
                lossSum += loss.item<float>();
            }
            double measured = heldOut();
            reports.Add(new EpochReport(epoch, lossSum / stepsPerEpoch, measured, clock.Elapsed.TotalSeconds));
            progress?.Report($"epoch {epoch}/{settings.Epochs}: loss {lossSum / stepsPerEpoch:F4}, " +
                $"{describe(measured)} ({clock.Elapsed.TotalMinutes:F1} min)");
        }
        model.eval();
        return reports;
    }
}

/// <summary>How <see cref="TrainingLoop"/> steps.</summary>
/// <param name="BatchSize">Examples per step.</param>
/// <param name="Epochs">Passes over the examples.</param>
/// <param name="LearningRate">The one-cycle schedule's peak.</param>
/// <param name="WeightDecay">AdamW's decoupled weight decay.</param>
/// <param name="Seed">Seeds the examples' order.</param>
internal sealed record TrainingSettings(int BatchSize, int Epochs, double LearningRate, double WeightDecay, int Seed);
