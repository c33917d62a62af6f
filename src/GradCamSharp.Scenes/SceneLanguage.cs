namespace GradCamSharp.Scenes;

/// <summary>
/// The small grammar of both worlds: a canonical caption per scene, with the object each word names, and question
/// templates whose answers follow from the ground truth. Words are lower case, separated by single spaces.
/// </summary>
public static class SceneLanguage
{
    /// <summary>Answers to counting questions.</summary>
    public static IReadOnlyList<string> NumberWords { get; } = ["zero", "one", "two", "three", "four", "five", "six"];

    /// <summary>
    /// The canonical caption of <paramref name="objects"/>, read left to right: "a red circle", "a red circle above
    /// a blue star", "a dog , a horse and a cup". <paramref name="grounding"/> gives, per word, the object it names
    /// (its colour and its noun), or null for words that name none.
    /// </summary>
    public static string Caption(IReadOnlyList<SceneObject> objects, out int?[] grounding)
    {
        ArgumentNullException.ThrowIfNull(objects);
        int[] order = LeftToRight(objects);
        var words = new List<string>();
        var grounds = new List<int?>();
        void Phrase(int index)
        {
            words.Add("a");
            grounds.Add(null);
            SceneObject item = objects[index];
            if (item.Color is string color)
            {
                words.Add(color);
                grounds.Add(index);
            }
            words.Add(item.Label);
            grounds.Add(index);
        }
        void Word(string word)
        {
            words.AddRange(word.Split(' '));
            grounds.AddRange(word.Split(' ').Select(_ => (int?)null));
        }
        for (int k = 0; k < order.Length; k++)
        {
            if (k > 0)
            {
                if (order.Length == 2) Word(Relation(objects[order[0]], objects[order[1]]));
                else Word(k == order.Length - 1 ? "and" : ",");
            }
            Phrase(order[k]);
        }
        grounding = [.. grounds];
        return string.Join(' ', words);
    }

    /// <summary>
    /// The phrase that names one object on its own, as the canonical caption names it: "a red circle", "a dog" (a
    /// dense captioner's phrase for the object's box).
    /// </summary>
    public static string Phrase(SceneObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Phrase(item.Label, item.Color);
    }

    /// <summary>The phrase of an object of <paramref name="label"/> and <paramref name="color"/> (null: none).
    /// </summary>
    public static string Phrase(string label, string? color) => color is null ? $"a {label}" : $"a {color} {label}";

    /// <summary>Where <paramref name="first"/> (the left one) is with respect to <paramref name="second"/>.</summary>
    public static string Relation(SceneObject first, SceneObject second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        double dx = second.Centre.X - first.Centre.X, dy = second.Centre.Y - first.Centre.Y;
        if (Math.Abs(dy) > Math.Abs(dx)) return dy > 0 ? "above" : "below";
        return dx >= 0 ? "left of" : "right of";
    }

    /// <summary>The objects' indices from left to right (then top to bottom).</summary>
    public static int[] LeftToRight(IReadOnlyList<SceneObject> objects) =>
        Enumerable.Range(0, objects.Count).OrderBy(i => objects[i].Centre.X).ThenBy(i => objects[i].Centre.Y).ToArray();

    /// <summary>
    /// The one object clearly on <paramref name="side"/> ("left" or "right") of <paramref name="anchor"/>: the only
    /// object whose centre is more than <paramref name="margin"/> pixels beyond the anchor's; null when none or
    /// several are.
    /// </summary>
    public static int? OnlyOneBeside(IReadOnlyList<SceneObject> objects, int anchor, string side, double margin)
    {
        ArgumentNullException.ThrowIfNull(objects);
        double x = objects[anchor].Centre.X;
        int[] beside = Enumerable.Range(0, objects.Count).Where(i => i != anchor && (side == "left"
            ? objects[i].Centre.X < x - margin : objects[i].Centre.X > x + margin)).ToArray();
        return beside.Length == 1 ? beside[0] : null;
    }

    /// <summary>
    /// The object clearly farthest to <paramref name="side"/>: beyond every other by a margin; or null.
    /// </summary>
    public static int? Outermost(IReadOnlyList<SceneObject> objects, string side, double margin)
    {
        ArgumentNullException.ThrowIfNull(objects);
        if (objects.Count < 2) return null;
        int[] order = LeftToRight(objects);
        int outer = side == "left" ? order[0] : order[^1];
        int next = side == "left" ? order[1] : order[^2];
        return Math.Abs(objects[outer].Centre.X - objects[next].Centre.X) > margin ? outer : null;
    }
}
