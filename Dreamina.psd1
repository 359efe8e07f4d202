# The module's manifest, and the one place its version lives. From a clone, after a Release build, it loads the
# module straight from the build output (Import-Module ./Dreamina.psd1); the build stages a copy whose paths point
# beside it, in out/Dreamina/<version>/.
@{
    RootModule           = 'src/Dreamina/bin/Release/netstandard2.0/Dreamina.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core', 'Desktop')
    GUID                 = '6f0c2a8e-4d4b-4c1e-9a57-3f5d2b7e9c11'
    Author               = 'Dreamina contributors'
    CompanyName          = 'Dreamina contributors'
    Copyright            = '(c) Dreamina contributors. MIT licence.'
    Description          = "Turn still images into short videos with RunComfy's hosted Dreamina 3.0 Pro image-to-video model, as a PowerShell pipeline: submit, wait, cancel and download jobs."
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('src/Dreamina/Dreamina.format.ps1xml')
    CmdletsToExport      = @(
        'Connect-Dreamina'
        'Disconnect-Dreamina'
        'Get-DreaminaConnection'
        'Get-DreaminaBalance'
        'Get-DreaminaModel'
        'Copy-DreaminaJob'
        'Start-DreaminaVideo'
        'Get-DreaminaStatus'
        'Wait-DreaminaJob'
        'Stop-DreaminaJob'
        'Save-DreaminaVideo'
        'Get-DreaminaJob'
        'Remove-DreaminaJob'
        'Test-DreaminaImage'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('RunComfy', 'Dreamina', 'ByteDance', 'AI', 'Video', 'ImageToVideo', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            # ProjectUri: add the repository's public address once it has one.
            LicenseUri   = 'https://opensource.org/license/mit'
            ReleaseNotes = 'Submit, wait, cancel and download Dreamina 3.0 Pro image-to-video jobs as a pipeline; many submissions at once; local images uploaded to your own Azure Blob container or by your own script; cost estimates, balance, -MaxCost and a daily spending limit; a write-ahead job journal; -AsJob; a local emulator (dotnet tool dreamina-emulator).'
        }
    }
}
