@{
    RootModule        = 'EmptyModule.dll'
    ModuleVersion     = '1.0.0'
    GUID              = '0d0c5a6e-8f2b-4d55-9a5e-1c2b3d4e5f60'
    CmdletsToExport   = @('Get-Nothing')
    FunctionsToExport = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
