namespace SpinPet.Core.Figures;

/// <summary>Which System.Diagnostics.Metrics instrument a <see cref="Figure"/> becomes.</summary>
public enum FigureKind
{
    /// <summary>Only grows: an observable counter (Prometheus type counter, <c>_total</c> appended).</summary>
    Counter,

    /// <summary>Goes up and down: an observable up-down counter (Prometheus type gauge).</summary>
    UpDown,

    /// <summary>A level that is not a sum, such as a high-water mark: an observable gauge.</summary>
    Gauge,
}
