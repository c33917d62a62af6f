namespace GradCamSharp.Pipeline;

/// <summary>
/// Where a pipeline puts one photo's files: a folder published all at once (<see cref="StagedOutput"/>), or a dataset
/// run's folder where each photo's files appear whole as soon as that photo is done.
/// </summary>
public interface IPhotoOutput
{
    /// <summary>
    /// Reserves an output file and returns the path to write it to (not its final place: the file appears there when
    /// the photo, or the run, is published).
    /// </summary>
    /// <param name="file">The wanted name, for example "dog_dog_gradcam.png".</param>
    /// <param name="name">The name actually reserved, relative to the output folder, as the manifest records it.
    /// </param>
    string Add(string file, out string name);

    /// <summary>
    /// Runs <paramref name="write"/> (encoding and writing files reserved with <see cref="Add"/>) behind the model's
    /// work on the next photo; it has ended before the files are published.
    /// </summary>
    void WriteBehind(Action write);
}
