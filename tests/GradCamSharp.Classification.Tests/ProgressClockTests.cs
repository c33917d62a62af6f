namespace GradCamSharp.Classification.Tests;

/// <summary>The time an evaluation's progress lines show: a run of every method can take days.</summary>
public sealed class ProgressClockTests
{
    [Theory]
    [InlineData(0, 0, 5, "0:00:05")]
    [InlineData(3, 7, 41, "3:07:41")]
    [InlineData(48, 36, 32, "48:36:32")]
    public void HoursAreCountedPastADay(int hours, int minutes, int seconds, string shown) =>
        Assert.Equal(shown, EvaluationRunner.Clock(new TimeSpan(hours, minutes, seconds)));
}
