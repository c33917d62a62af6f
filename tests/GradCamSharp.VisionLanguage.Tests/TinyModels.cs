namespace GradCamSharp.VisionLanguage.Tests;

/// <summary>Untrained models over small hand-made vocabularies, for checks that hold for any weights.</summary>
internal static class TinyModels
{
    public static readonly string[] Words =
        ["a", "red", "blue", "circle", "star", "left", "of", "what", "color", "is", "the", "yes", "no"];

    public static readonly string[] Answers = ["red", "blue", "yes", "no"];

    public static VqaModel Vqa(int seed = 3)
    {
        TorchSharp.torch.random.manual_seed(seed);
        return (VqaModel)VisionLanguageModel.Create(new VisionLanguageRecipe { Task = VisionLanguageTasks.Vqa },
            "tiny-vqa", new Vocabulary(Words), Answers, maxWords: 8);
    }

    public static Captioner Captioner(int seed = 3, string head = VisionLanguageRecipe.StackedAttentionHead)
    {
        TorchSharp.torch.random.manual_seed(seed);
        var recipe = new VisionLanguageRecipe { Task = VisionLanguageTasks.Captioner, Head = head };
        return (Captioner)VisionLanguageModel.Create(recipe, "tiny-captioner", new Vocabulary(Words), [], maxWords: 8);
    }
}
