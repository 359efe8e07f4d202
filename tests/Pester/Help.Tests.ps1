# What a PowerShell user sees before running anything: the manifest, the package, and Get-Help.

BeforeDiscovery {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    $cmdlets = (Import-PowerShellDataFile (Get-TestManifest)).CmdletsToExport | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    $staged = Split-Path (Get-TestManifest)
}

Describe 'The manifest and the package' {
    It 'passes Test-ModuleManifest, staged and at the repository root' {
        (Test-ModuleManifest (Get-TestManifest)).Name | Should -Be 'Dreamina'
        (Test-ModuleManifest (Join-Path (Get-RepoRoot) 'Dreamina.psd1')).Version | Should -Be (Test-ModuleManifest (Get-TestManifest)).Version
    }

    It 'exports exactly the cmdlets the DLL defines' {
        $defined = [Dreamina.DreaminaJob].Assembly.GetExportedTypes() |
            Where-Object { -not $_.IsAbstract -and $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; "$($a.VerbName)-$($a.NounName)" }
        (Get-Module Dreamina).ExportedCmdlets.Keys | Sort-Object | Should -Be ($defined | Sort-Object)
    }

    It 'names its licence, release notes and tags for the gallery' {
        $data = (Import-PowerShellDataFile (Get-TestManifest)).PrivateData.PSData
        foreach ($key in 'LicenseUri', 'ReleaseNotes', 'Tags') { $data[$key] | Should -Not -BeNullOrEmpty -Because $key }
        $data.Tags | Should -Contain 'PSEdition_Core'
    }

    It 'ships no debug symbols and no reference assemblies, and keeps .NET Framework dependencies apart' {
        Get-ChildItem $staged -Recurse -Filter *.pdb | Should -BeNullOrEmpty
        Test-Path "$staged/System.Management.Automation.dll" | Should -BeFalse
        Test-Path "$staged/System.Text.Json.dll" | Should -BeFalse
        Test-Path "$staged/dependencies/System.Text.Json.dll" | Should -BeTrue
    }

    It 'loads its format file, with a view for each output type' {
        $formats = Get-FormatData -TypeName Dreamina.*
        $formats.TypeNames | Should -Contain 'Dreamina.DreaminaJob'
        $formats.TypeNames | Should -Contain 'Dreamina.DreaminaImageReport'
        $formats.TypeNames | Should -Contain 'Dreamina.DreaminaConnection'
    }
}

Describe 'Get-Help <Name> -Full' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
        $parameters = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }
    }

    It 'has a synopsis and a description, not a generated stub' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -Match "^$([regex]::Escape($Name)) \["
        ($help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples with code' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        $help.examples.example | ForEach-Object { $_.code | Should -Not -BeNullOrEmpty }
    }

    It 'describes every parameter and shows its default' {
        foreach ($parameter in $parameters) {
            $entry = $help.parameters.parameter | Where-Object name -EQ $parameter
            ($entry.description.Text -join ' ').Length | Should -BeGreaterThan 10 -Because "-$parameter needs a description"
            "$($entry.defaultValue)" | Should -Not -BeNullOrEmpty -Because "-$parameter needs a default"
        }
    }

    It 'shows every example whole at 80 columns, each after a blank line and at the same indent' {
        # Out-String at the width of an 80-column console: the help view breaks a line at the edge, mid-word.
        $lines = (Get-Help $Name -Examples | Out-String -Width 80) -split '\r?\n'
        foreach ($example in $help.examples.example) {
            foreach ($code in ($example.code -split '\r?\n' | Where-Object { $_.Trim() })) { $lines | Should -Contain "    $code" }
            $title = [array]::IndexOf($lines, "    $($example.title)")
            $title | Should -BeGreaterThan 0 -Because "'$($example.title)' should stand on a line of its own, indented like the others"
            $lines[$title - 1].Trim() | Should -BeNullOrEmpty -Because "'$($example.title)' should not run into the text before it"
        }
    }

    It 'shows every parameter in its syntax' {
        $syntax = $help.syntax.syntaxItem.parameter.name | Sort-Object -Unique
        foreach ($parameter in $parameters) { $syntax | Should -Contain $parameter }
    }
}

Describe 'about_Dreamina' {
    It 'explains the journal, the emulator and where the token comes from' {
        $text = Get-Help about_Dreamina | Out-String
        $text | Should -Match 'JOURNAL'
        $text | Should -Match 'EMULATOR'
        $text | Should -Match 'RUNCOMFY_TOKEN'
    }
}
