namespace SpinPet.ChainSimulator.Generation;

/// <summary>A SpinPet error from the IDL (code, name, message).</summary>
internal sealed record ProgramError(int Code, string Name, string Message)
{
    public static readonly ProgramError LiquidityLocked = new(6010, "LiquidityLocked", "流动性锁定，无法插入订单");
    public static readonly ProgramError ExceedsMaxSolAmount = new(6014, "ExceedsMaxSolAmount", "用户设置的最大SOL可使用金额不足");
    public static readonly ProgramError InsufficientSolOutput = new(6017, "InsufficientSolOutput", "获得的SOL数量不足");
    public static readonly ProgramError InsufficientRepayment = new(6018, "InsufficientRepayment", "平仓收益不足以偿还借款");
    public static readonly ProgramError InsufficientMargin = new(6032, "InsufficientMargin", "保证金不足");
}
